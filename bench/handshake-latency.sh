#!/usr/bin/env bash
# Side by side, same machine, same run: FleetVPN and the stock openvpn 2.6 server on
# examples/server.conf. For 3 consecutive real openvpn clients it prints the time from the
# client's first packet ("UDPv4 link remote", the last one before connecting) to its
# "Initialization Sequence Completed" (microsecond log stamps at verb 4), and each server's RSS
# idle and with one client. Runs in two network namespaces it creates and deletes.
# Usage: sudo bench/handshake-latency.sh   (needs root, iproute2, openvpn, the .NET SDK)
set -euo pipefail
cd "$(dirname "$0")/.."
S=fvbench-s; C=fvbench-c; work=$(mktemp -d)
cleanup() { ip netns del $S 2>/dev/null || true; ip netns del $C 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
cleanup; work=$(mktemp -d)
dotnet publish src/FleetVpn.Cli -c Release -o out/fleetvpn --nologo -v quiet >/dev/null
ip netns add $S; ip netns add $C
ip link add fvbench-a type veth peer name fvbench-b
ip link set fvbench-a netns $S; ip link set fvbench-b netns $C
ip -n $S addr add 10.77.8.1/24 dev fvbench-a; ip -n $S link set fvbench-a up; ip -n $S link set lo up
ip -n $C addr add 10.77.8.2/24 dev fvbench-b; ip -n $C link set fvbench-b up; ip -n $C link set lo up
cat > "$work/client.conf" <<EOC
client
dev tun
proto udp
remote 10.77.8.1 1194
nobind
remote-cert-tls server
ca $PWD/examples/pki/ca.crt
cert $PWD/examples/pki/client1.crt
key $PWD/examples/pki/client1.key
verb 4
EOC
elapsed_ms() { # first packet -> Initialization Sequence Completed, from the client's log
  awk '/UDPv4 link remote/ { split($2,t,":"); sub("us=","",$3); s=t[1]*3600+t[2]*60+t[3]+$3/1e6 }
       /Initialization Sequence Completed/ { split($2,t,":"); sub("us=","",$3); e=t[1]*3600+t[2]*60+t[3]+$3/1e6 }
       END { printf "%.0f", (e-s)*1000 }' "$1"
}
echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores, $(openvpn --version | head -1 | cut -d' ' -f1-2), fleetvpn $(out/fleetvpn/fleetvpn --version)"
for server in fleetvpn openvpn; do
  if [ $server = fleetvpn ]; then ip netns exec $S out/fleetvpn/fleetvpn serve --config examples/server.conf --verb 1 --status "$work/status" > "$work/server.log" 2>&1 &
  else ip netns exec $S openvpn --config examples/server.conf --verb 1 --status "$work/status" > "$work/server.log" 2>&1 & fi
  sp=$!; sleep 3
  echo "$server RSS idle: $(awk '/VmRSS/ {print $2, $3}' /proc/$sp/status)"
  for i in 1 2 3; do
    ip netns exec $C openvpn --config "$work/client.conf" > "$work/client.log" 2>&1 &
    cp=$!
    for _ in $(seq 1 80); do grep -q "Initialization Sequence Completed" "$work/client.log" && break; sleep 0.25; done
    echo "$server client $i: first packet -> Initialization Sequence Completed: $(elapsed_ms "$work/client.log") ms"
    if [ $i = 1 ]; then sleep 2; echo "$server RSS one client: $(awk '/VmRSS/ {print $2, $3}' /proc/$sp/status)"; fi
    kill $cp; wait $cp 2>/dev/null || true; sleep 1
  done
  kill $sp; wait $sp 2>/dev/null || true; sleep 1
done
