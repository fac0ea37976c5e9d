#!/usr/bin/env bash
# Where the server's CPU goes, for FleetVPN and for openvpn 2.6: `perf record -g` on the server process while N
# simulated devices connect (the handshake profile) and then while they only keep alive (the keepalive profile).
# Everything runs in one network namespace made for the run (loopback only), as bench/swarm-fleet.sh does.
# FleetVPN runs with DOTNET_PerfMapEnabled=1 so that perf can name JIT-compiled .NET methods.
#
# Usage: sudo bench/profile.sh [N] [RAMP]          (default N=20000, RAMP=300)
#   SERVERS="fleetvpn openvpn" (default). Writes bench/results/profile-SERVER-{handshake,keepalive}.txt:
#   the top of `perf report` by self time (--no-children), per shared object and per symbol.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20000}
RAMP=${2:-300}
NS=fvprof
work=$(mktemp -d)
pids=()
# The server's and the swarm's logs are kept in /tmp/fleetvpn-profile-logs for a post-mortem.
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; sleep 1; ip netns del $NS 2>/dev/null || true
  mkdir -p /tmp/fleetvpn-profile-logs; cp "$work"/*.log /tmp/fleetvpn-profile-logs/ 2>/dev/null || true; rm -rf "$work" /tmp/perf-*.map 2>/dev/null || true; }
trap cleanup EXIT
command -v perf >/dev/null || apt-get install -y linux-perf >/dev/null
ip netns del $NS 2>/dev/null || true
dotnet publish src/FleetVpn.Cli -c Release -o out/fleetvpn --nologo -v quiet >/dev/null
fv=out/fleetvpn/fleetvpn
"$fv" pki init "$work/pki" >/dev/null
"$fv" pki server "$work/pki" --cn server >/dev/null
"$fv" pki clients "$work/pki" --count 5 >/dev/null
ip netns add $NS
ip -n $NS link set lo up
ulimit -n "$(ulimit -Hn)"
cat > "$work/server.conf" <<CONF
proto udp
local 127.0.0.1
port 1194
dev tun
topology subnet
server 10.8.0.0 255.255.0.0
keepalive 10 120
ca $work/pki/ca.crt
cert $work/pki/issued/server.crt
key $work/pki/private/server.key
dh none
remote-cert-tls client
duplicate-cn
max-clients $((N + 100))
verb 3
CONF
echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores, $(openvpn --version | head -1 | cut -d' ' -f1-2), fleetvpn $("$fv" --version), N=$N, ramp $RAMP/s"
cpu() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
hz=$(getconf CLK_TCK)
report() { # perf.data out title
  { echo "# $3 ($(date -u +%Y-%m-%dT%H:%MZ), N=$N, ramp $RAMP/s; command: sudo bench/profile.sh $N $RAMP)"
    echo "## by shared object (self time)"
    perf report -i "$1" --no-children -g none --sort dso --stdio 2>/dev/null | grep -v '^#' | grep -v '^$' | head -15 || true
    echo "## by symbol (self time)"
    perf report -i "$1" --no-children -g none --sort dso,sym --stdio 2>/dev/null | grep -v '^#' | grep -v '^$' | head -40 || true
  } > "$2"
}
for server in ${SERVERS:-fleetvpn openvpn}; do
  if [ "$server" = fleetvpn ]; then ip netns exec $NS env DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 "$fv" serve --config "$work/server.conf" > "$work/server.log" 2>&1 &
  else ip netns exec $NS openvpn --config "$work/server.conf" > "$work/server.log" 2>&1 & fi
  sp=$!; pids+=($sp); sleep 4
  ramp_s=$(( N / RAMP ))
  ip netns exec $NS "$fv" swarm --remote 127.0.0.1:1194 --clients "$N" --pki "$work/pki" --ramp "$RAMP" \
    --duration $((ramp_s + 150)) --settle 60 --json "$work/swarm.json" > "$work/swarm.log" 2>&1 &
  sw=$!; pids+=($sw)
  # The handshake profile: 20 s in the middle of the ramp; the keepalive profile: 30 s, 90 s after the ramp.
  sleep $(( ramp_s / 2 > 10 ? ramp_s / 2 - 10 : 1 ))
  c0=$(cpu $sp); h0=$(grep -c " connected, \| Peer Connection Initiated" "$work/server.log" || true)
  perf record -g -F 499 -p $sp -o "$work/hs.data" -- sleep 20 >/dev/null 2>&1
  c1=$(cpu $sp); h1=$(grep -c " connected, \| Peer Connection Initiated" "$work/server.log" || true)
  report "$work/hs.data" "bench/results/profile-$server-handshake.txt" \
    "$server: handshake profile, $((h1 - h0)) handshakes in 20 s, $(awk -v c=$((c1 - c0)) -v h=$((h1 - h0)) -v hz=$hz 'BEGIN {if (h > 0) printf "%.2f", c / hz * 1000 / h; else print "n/a"}') ms of server CPU per handshake"
  sleep $(( ramp_s - ramp_s / 2 + 90 ))
  kill -0 $sp 2>/dev/null || { echo "$server: the server exited during the run:"; tail -20 "$work/server.log"; exit 1; }
  c0=$(cpu $sp)
  perf record -g -F 499 -p $sp -o "$work/ka.data" -- sleep 30 >/dev/null 2>&1
  c1=$(cpu $sp)
  report "$work/ka.data" "bench/results/profile-$server-keepalive.txt" \
    "$server: keepalive profile, $N devices idle (keepalive 10 120), $(awk -v c=$((c1 - c0)) -v n=$N -v hz=$hz 'BEGIN {printf "%.2f", c / hz / 30 / n * 1e6}') us of server CPU per device per second"
  head -1 "bench/results/profile-$server-handshake.txt"; head -1 "bench/results/profile-$server-keepalive.txt"
  wait $sw 2>/dev/null || true
  kill $sp; wait $sp 2>/dev/null || true; sleep 2
done
