#!/usr/bin/env python3
"""Rebuilds the seed corpora (Corpus/<target>/) from the OpenVPN 2.6 captures in shared/fixtures/openvpn-2.6.

Run once when a target or a fixture changes; the output is checked in (small files, real packets):
    python3 tests/FleetVpn.Fuzz/make-seeds.py [FIXTURES_DIR]
"""
import json, os, struct, sys

here = os.path.dirname(os.path.abspath(__file__))
fixtures = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "..", "shared", "fixtures", "openvpn-2.6")
corpus = os.path.join(here, "Corpus")


def udp_payloads(path):
    """Frame number (1-based) -> UDP payload of an IPv4 datagram; Ethernet / Linux cooked / raw IP links."""
    data = open(path, "rb").read()
    pos, frame, links, out = 0, 0, [], {}
    while pos + 12 <= len(data):
        btype, blen = struct.unpack_from("<II", data, pos)
        body = data[pos + 8:pos + blen - 4]
        if btype == 0x0A0D0D0A:
            links = []
        elif btype == 1:
            links.append(struct.unpack_from("<H", body, 0)[0])
        elif btype == 6:
            frame += 1
            iface, _, _, caplen = struct.unpack_from("<IIII", body, 0)
            pkt = body[20:20 + caplen]
            link = links[iface]
            ip = pkt[14:] if link == 1 else pkt[16:] if link == 113 else pkt[20:] if link == 276 else pkt
            if ip and ip[0] >> 4 == 4 and ip[9] == 17:
                ihl = (ip[0] & 15) * 4
                out[frame] = ip[ihl + 8:]
        pos += blen
    return out


def session(name):
    decoded = json.load(open(os.path.join(fixtures, name, "decoded.json")))
    raw = udp_payloads(os.path.join(fixtures, name, "capture.pcapng"))
    return decoded, [(p, raw[p["frame"]]) for p in decoded["packets"] if p["frame"] in raw]


def write(target, name, data):
    d = os.path.join(corpus, target)
    os.makedirs(d, exist_ok=True)
    open(os.path.join(d, name), "wb").write(data)


def km2(m, from_client):
    def s(text):
        if not text:
            return b"\0\0"
        b = text.encode() + b"\0"
        return struct.pack(">H", len(b)) + b
    out = bytes.fromhex(m["literal_zero_u32"]) + bytes([m["key_method"]])
    if from_client:
        out += bytes.fromhex(m["pre_master"])
    out += bytes.fromhex(m["random1"]) + bytes.fromhex(m["random2"])
    return out + s(m["options"]) + s(m["username"]) + s(m["password"]) + s(m["peer_info"])


# The packet header: every datagram of the unwrapped session, both directions.
_, packets = session("no-wrap-cbc")
for p, data in packets:
    write("packet-header", f"no-wrap-cbc-{p['frame']:02d}-{p['opcode']}", data)

# Wrapped control packets the server receives (key-id 0: the static key protects them).
for target, name in (("tls-auth", "tls-auth"), ("tls-crypt", "tls-crypt")):
    _, packets = session(name)
    for p, data in packets:
        if p["dir"] == "C->S" and p["opcode"] != "P_DATA_V2" and p["key_id"] == 0:
            write(target, f"{name}-{p['frame']:02d}-{p['opcode']}", data)

# The reliability layer: the client's control packets of one handshake, in order and in reverse,
# each as a 2-byte big-endian length and the unwrapped packet.
_, packets = session("no-wrap-cbc")
client = [data for p, data in packets if p["dir"] == "C->S" and p["opcode"] != "P_DATA_V2" and p["key_id"] == 0]
framed = [struct.pack(">H", len(d)) + d for d in client]
write("reliability", "no-wrap-cbc-client-in-order", b"".join(framed))
write("reliability", "no-wrap-cbc-client-reversed", b"".join(reversed(framed)))
write("reliability", "no-wrap-cbc-client-twice", b"".join(framed + framed))

# Key method 2: both peers' messages of two sessions, then the control messages that followed.
for name in ("tls-crypt", "tls-auth", "no-wrap-cbc"):
    decoded, _ = session(name)
    tls = decoded["tls"]["0"]
    commands = b"".join(c.encode() + b"\0" for c in tls["control_messages"]["C->S"])
    write("key-method-2", f"{name}-client", b"\x01" + km2(tls["km2_client"], True) + commands)
    write("key-method-2", f"{name}-server", b"\x00" + km2(tls["km2_server"], False))
    for direction in ("C->S", "S->C"):
        for i, c in enumerate(tls["control_messages"][direction]):
            write("control-messages", f"{name}-{direction.replace('->', '')}-{i}", c.encode() + b"\0")
    write("control-messages", f"{name}-peer-info", tls["km2_client"]["peer_info"].encode())
    write("control-messages", f"{name}-options", tls["km2_client"]["options"].encode())

# The data channel: P_DATA_V2 packets the client sent under key-id 0, for the cipher of the target.
for target, name in (("data-aead", "tls-crypt"), ("data-cbc", "no-wrap-cbc")):
    _, packets = session(name)
    for p, data in packets:
        if p["dir"] == "C->S" and p["opcode"] == "P_DATA_V2" and p["key_id"] == 0:
            write(target, f"{name}-{p['frame']:02d}", data)

# Key material the targets use: the fixtures' static keys, PKI, and the captured sessions' data keys.
keys = os.path.join(here, "Keys")
os.makedirs(keys, exist_ok=True)
for f in ("ta.key", "tc.key", "ca.crt", "server.crt", "server.key"):
    open(os.path.join(keys, f), "wb").write(open(os.path.join(fixtures, "keys", f), "rb").read())
for name in ("tls-crypt", "no-wrap-cbc"):
    decoded, _ = session(name)
    open(os.path.join(keys, f"{name}.key2"), "w").write(decoded["tls"]["0"]["key2_hex"] + "\n")
