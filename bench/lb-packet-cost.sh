#!/usr/bin/env bash
# The load balancer's CPU per datagram: three namespaces (src -- lb -- dst), a sender pinned to one CPU sends N UDP
# datagrams through the lb namespace, and the sender's own CPU time (getrusage: user + system) is divided by N. On
# veth the receiving side (lb's prerouting, forwarding, nftables, dst's drop) runs in softirq context on the sending
# task, when the kernel does not account interrupt time apart (no CONFIG_IRQ_TIME_ACCOUNTING); check that the
# "forward" case costs more than "drop" before trusting the differences. Three cases, each run ROUNDS times (the median is printed):
#   drop     the datagrams are dropped on arrival in lb (raw prerouting): the sender's and the receive cost only
#   forward  lb forwards them to dst (plain routing, no table), dropped there on arrival
#   nft      they go to the VIP and lb's fleetvpn_lb table (notrack, jhash, map, rewrite) sends them to dst
# forward - drop is the cost of forwarding, nft - forward the table's. Needs root, nft, python3.
#   sudo bench/lb-packet-cost.sh [N] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-300000}"
ROUNDS="${2:-5}"
CPU=1
P="fvlbcost-$$"
cleanup() { for ns in src lb dst; do ip netns del "$P-$ns" 2>/dev/null || true; done; }
trap cleanup EXIT
for ns in src lb dst; do ip netns add "$P-$ns"; ip -n "$P-$ns" link set lo up; done
ip link add fvc-s netns "$P-src" type veth peer name fvc-l netns "$P-lb"
ip link add fvc-d netns "$P-dst" type veth peer name fvc-m netns "$P-lb"
ip -n "$P-src" addr add 10.77.0.2/24 dev fvc-s; ip -n "$P-lb" addr add 10.77.0.1/24 dev fvc-l
ip -n "$P-dst" addr add 10.90.0.11/24 dev fvc-d; ip -n "$P-lb" addr add 10.90.0.1/24 dev fvc-m
for l in "src fvc-s" "lb fvc-l" "lb fvc-m" "dst fvc-d"; do set -- $l; ip -n "$P-$1" link set "$2" up; done
ip -n "$P-src" route add default via 10.77.0.1
ip -n "$P-dst" route add default via 10.90.0.1
ip netns exec "$P-lb" sysctl -qw net.ipv4.ip_forward=1
# dst drops everything on arrival, the same in every case.
ip netns exec "$P-dst" nft -f - <<'NFT'
table ip sink {
  chain raw { type filter hook prerouting priority raw; policy accept; udp dport 1194 drop; }
}
NFT
ping -c1 -W2 -q 10.90.0.11 >/dev/null 2>&1 || true
printf '10.90.0.11 http://10.90.0.11:9469/health\n' > "/tmp/$P-nodes"
cli=src/FleetVpn.Cli/bin/Debug/net10.0/fleetvpn.dll   # only prints the ruleset
[ -f "$cli" ] || nice -n 19 dotnet build src/FleetVpn.Cli -v quiet --nologo >/dev/null
dotnet "$cli" lb --nodes "/tmp/$P-nodes" --vip 10.77.0.1 --print > "/tmp/$P-lb.nft"
rm -f "/tmp/$P-nodes"

send() { # send N datagrams of 100 bytes to $1 from 64 source ports (a few buckets), pinned to CPU
  ip netns exec "$P-src" taskset -c "$CPU" python3 - "$1" "$N" <<'PY'
import socket, sys
target, n = sys.argv[1], int(sys.argv[2])
socks = []
for i in range(64):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.connect((target, 1194)); socks.append(s)
payload = b"\x48" + b"\0" * 99
import resource
start = resource.getrusage(resource.RUSAGE_SELF)
for i in range(n):
    socks[i & 63].send(payload)
end = resource.getrusage(resource.RUSAGE_SELF)
cpu = (end.ru_utime - start.ru_utime) + (end.ru_stime - start.ru_stime)
print(int(cpu * 1e9 / n))
PY
}
measure() { # case target -> ns of the sender's CPU per datagram
  send "$2"
}
results() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
declare -A samples
for round in $(seq "$ROUNDS"); do
  ip netns exec "$P-lb" nft flush ruleset
  ip netns exec "$P-lb" nft -f - <<'NFT'
table ip early {
  chain raw { type filter hook prerouting priority raw; policy accept; ip daddr 10.90.0.99 drop; }
}
NFT
  samples[drop]+="$(measure drop 10.90.0.99) "
  samples[forward]+="$(measure forward 10.90.0.11) "
  ip netns exec "$P-lb" nft -f "/tmp/$P-lb.nft"
  samples[nft]+="$(measure nft 10.77.0.1) "
done
rm -f "/tmp/$P-lb.nft"
echo "lb-packet-cost: $N datagrams of 100 B per case, $ROUNDS rounds, CPU $CPU of $(nproc), $(uname -r)"
for c in drop forward nft; do
  echo "  $c: ns of the sender's CPU per datagram, rounds: ${samples[$c]}  median: $(printf '%s\n' ${samples[$c]} | results)"
done
d=$(printf '%s\n' ${samples[drop]} | results); f=$(printf '%s\n' ${samples[forward]} | results); t=$(printf '%s\n' ${samples[nft]} | results)
echo "  forwarding through lb: $((f - d)) ns per datagram; the fleetvpn_lb table on top: $((t - f)) ns; lb total: $((t - d)) ns"
