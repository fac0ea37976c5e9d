#!/usr/bin/env bash
# Server memory per connected client, FleetVPN vs the stock openvpn 2.6 server, same machine,
# same run: N real openvpn clients (default 40, one client namespace, duplicate-cn) connect to
# examples/server.conf plus the variant's extra options; RSS is read with 1 client (warm) and
# with N clients, 20 s after the last one connected (FleetVPN releases TLS 10 s after a handshake).
# Usage: sudo bench/server-memory-per-client.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-40}
S=fvmem-s; C=fvmem-c; work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; sleep 1; ip netns del $S 2>/dev/null || true; ip netns del $C 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
ip netns del $S 2>/dev/null || true; ip netns del $C 2>/dev/null || true
dotnet publish src/FleetVpn.Cli -c Release -o out/fleetvpn --nologo -v quiet >/dev/null
openvpn --genkey secret "$work/tc.key"
ip netns add $S; ip netns add $C
ip link add fvmem-a type veth peer name fvmem-b
ip link set fvmem-a netns $S; ip link set fvmem-b netns $C
ip -n $S addr add 10.77.7.1/24 dev fvmem-a; ip -n $S link set fvmem-a up; ip -n $S link set lo up
ip -n $C addr add 10.77.7.2/24 dev fvmem-b; ip -n $C link set fvmem-b up; ip -n $C link set lo up
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores, $(openvpn --version | head -1 | cut -d' ' -f1-2), fleetvpn $(out/fleetvpn/fleetvpn --version), $N clients"
run() { # server variant-name server-extra client-extra
  local server=$1 name=$2 sextra=$3 cextra=$4
  local args=(--config examples/server.conf --verb 1 --duplicate-cn --max-clients 1000 --status "$work/status" 5 $sextra)
  if [ "$server" = fleetvpn ]; then ip netns exec $S out/fleetvpn/fleetvpn serve "${args[@]}" > "$work/server.log" 2>&1 &
  else ip netns exec $S openvpn "${args[@]}" > "$work/server.log" 2>&1 & fi
  local sp=$!; pids+=($sp); sleep 3
  local cps=()
  for i in $(seq 1 "$N"); do
    ip netns exec $C openvpn --client --dev "tun$i" --proto udp --remote 10.77.7.1 1194 --nobind --remote-cert-tls server \
      --ca examples/pki/ca.crt --cert examples/pki/client1.crt --key examples/pki/client1.key --verb 1 --route-noexec $cextra > "$work/c$i.log" 2>&1 &
    cps+=($!); pids+=($!)
    if [ "$i" = 1 ]; then sleep 15; r1=$(rss $sp); fi
  done
  for _ in $(seq 1 120); do [ "$(grep -l "Initialization Sequence Completed" "$work"/c*.log 2>/dev/null | wc -l)" -ge "$N" ] && break; sleep 0.5; done
  local up; up=$(grep -l "Initialization Sequence Completed" "$work"/c*.log | wc -l)
  sleep 20
  local rn; rn=$(rss $sp)
  echo "$server $name: RSS 1 client ${r1} kB, $up/$N clients ${rn} kB, per client $(( (rn - r1) * 1024 / (N - 1) )) bytes"
  for p in "${cps[@]}"; do kill "$p" 2>/dev/null || true; done; sleep 2
  kill $sp; wait $sp 2>/dev/null || true; sleep 1; rm -f "$work"/c*.log
}
for server in ${SERVERS:-fleetvpn openvpn}; do
  run $server "AES-256-GCM" "" ""
  run $server "tls-crypt" "--tls-crypt $work/tc.key" "--tls-crypt $work/tc.key"
done
[ -n "${SERVERS:-}" ] || run fleetvpn "explicit-exit-notify (TLS kept)" "--explicit-exit-notify" ""
