#!/usr/bin/env python3
"""Forged OpenVPN initial resets (unwrapped P_CONTROL_HARD_RESET_CLIENT_V2, a fresh session id each) from many
loopback source addresses (127.1.0.1 on), as fast as one process can send, bounded in count and time; counts the
server's replies (P_CONTROL_HARD_RESET_SERVER_V2). Run inside the benchmark's own network namespace only.

    reset-flood.py HOST PORT SOURCES SECONDS MAX_PACKETS   -> one line: sent=N seconds=S pps=R replies=M
"""
import os, select, socket, sys, time

host, port, sources, seconds, max_packets = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
if not (1 <= sources <= 65000):
    sys.exit("SOURCES must be 1..65000")
socks = []
for i in range(sources):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((f"127.1.{(i + 1) >> 8}.{(i + 1) & 255}", 0))
    s.setblocking(False)
    socks.append(s)
target = (host, port)
header = bytes([7 << 3])
tail = bytes(5)  # no ACKs, message-id 0
replies = sent = 0
poller = select.epoll()
for s in socks:
    poller.register(s.fileno(), select.EPOLLIN)
by_fd = {s.fileno(): s for s in socks}


def drain():
    global replies
    for fd, _ in poller.poll(0):
        s = by_fd[fd]
        while True:
            try:
                data = s.recv(2048)
            except BlockingIOError:
                break
            if data and data[0] >> 3 == 8:
                replies += 1


start = time.monotonic()
deadline = start + seconds
ids = os.urandom(8 * 4096)
while sent < max_packets:
    for k in range(4096):
        sid = bytearray(ids[8 * k:8 * k + 8])
        sid[0] |= 1
        sid[7] = sent & 255
        try:
            socks[sent % sources].sendto(header + bytes(sid) + tail, target)
        except (BlockingIOError, OSError):
            pass
        sent += 1
    drain()
    if time.monotonic() >= deadline:
        break
elapsed = time.monotonic() - start
settle = time.monotonic() + 1.0
while time.monotonic() < settle:
    drain()
    time.sleep(0.05)
print(f"sent={sent} seconds={elapsed:.1f} pps={sent / elapsed:.0f} replies={replies}")
