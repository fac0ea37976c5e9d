#!/usr/bin/env bash
# A fleet of N simulated devices (`fleetvpn swarm`) against FleetVPN and against the stock openvpn 2.6 server,
# same machine, same run. Everything happens in one network namespace made for the run (loopback only);
# the swarm spreads its clients over 127.0.0.0/8 source addresses. For each server: its RSS idle and with the
# whole fleet connected (sampled every second, the value just before the swarm's exit notifications), and the
# swarm's own RSS (read by the swarm after a compacting GC), with one client and with N.
#
# Usage: sudo bench/swarm-fleet.sh [N] [RAMP]        (default N=10000, RAMP=200 handshakes/s asked for)
#   SERVERS="fleetvpn openvpn" (default): which servers to run against.
#   HOLD=150 (default): seconds the whole fleet is held after the ramp (600: issue 5's ten-minute hold).
#   Prints one result line per server and leaves the swarm's JSON summaries in bench/results/swarm-fleet-*.json.
# Note: openvpn's ifconfig pool stops at a /16 (65,536 addresses), so past ~65,000 clients only FleetVPN runs.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
RAMP=${2:-200}
NS=fvfleet
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; sleep 1; ip netns del $NS 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
ip netns del $NS 2>/dev/null || true
dotnet publish src/FleetVpn.Cli -c Release -o out/fleetvpn --nologo -v quiet >/dev/null
fv=out/fleetvpn/fleetvpn
"$fv" pki init "$work/pki" >/dev/null
"$fv" pki server "$work/pki" --cn server >/dev/null
"$fv" pki clients "$work/pki" --count 5 >/dev/null
ip netns add $NS
ip -n $NS link set lo up
ulimit -n 1048576 2>/dev/null || ulimit -n "$(ulimit -Hn)"

# Enough pool for N: a /16 up to 65,000 clients, then a /12 (FleetVPN only).
if [ "$N" -le 65000 ]; then pool="10.8.0.0 255.255.0.0"; else pool="10.0.0.0 255.240.0.0"; fi
cat > "$work/server.conf" <<CONF
proto udp
local 127.0.0.1
port 1194
dev tun
topology subnet
server $pool
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

rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
cpu() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
hz=$(getconf CLK_TCK)
echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(openvpn --version | head -1 | cut -d' ' -f1-2), fleetvpn $("$fv" --version), N=$N, ramp $RAMP/s"
swarm() { # clients json duration
  ip netns exec $NS "$fv" swarm --remote 127.0.0.1:1194 --clients "$1" --pki "$work/pki" --ramp "$RAMP" \
    --duration "$3" --settle 120 --json "$2" > "$work/swarm.log" 2>&1 || echo "(swarm exit $?: $(tail -3 "$work/swarm.log" | tr '\n' ' '))"
}
field() { sed -n "s/.*\"$2\": *\([0-9.]*\).*/\1/p" "$1" | head -1; }
for server in ${SERVERS:-fleetvpn openvpn}; do
  if [ "$server" = openvpn ] && [ "$N" -gt 65000 ]; then echo "openvpn: skipped, its pool stops at a /16"; continue; fi
  if [ "$server" = fleetvpn ]; then ip netns exec $NS "$fv" serve --config "$work/server.conf" > "$work/server.log" 2>&1 &
  else ip netns exec $NS openvpn --config "$work/server.conf" > "$work/server.log" 2>&1 & fi
  sp=$!; pids+=($sp); sleep 4
  idle=$(rss $sp)
  swarm 1 "$work/one.json" 5
  # Sample the server's RSS every second while the fleet runs; the last sample before the swarm's exit
  # notifications is the fleet-connected figure (the swarm holds its clients until --duration ends).
  # The hold: the ramp (at the asked rate, or at 150 handshakes/s if that is slower: what 2 shared cores reach
  # sustained), then HOLD s (at least 150, so that one of the server's once-a-minute resources lines and memory
  # reclaims comes well after the last handshake's TLS session was released).
  ramp_s=$(( N / RAMP > N / 150 ? N / RAMP : N / 150 ))
  duration=$(( ramp_s + ${HOLD:-150} ))
  # Each second: time, RSS (kB), CPU time used so far (clock ticks, user + system).
  ( while kill -0 $sp 2>/dev/null; do echo "$(date +%s) $(rss $sp) $(cpu $sp)"; sleep 1; done ) > "$work/rss.txt" &
  sampler=$!; pids+=($sampler)
  start=$(date +%s)
  swarm "$N" "bench/results/swarm-fleet-$server-$N.json" "$duration"
  end=$(date +%s)
  kill $sampler 2>/dev/null || true
  # The sample taken 3 s before the swarm ended (its exit notifications take the last ~2 s).
  full=$(awk -v t=$((end - 3)) '$1 <= t {v = $2} END {print v}' "$work/rss.txt")
  peak=$(awk '$2 > m {m = $2} END {print m}' "$work/rss.txt")
  # Keepalive cost: the server's CPU over the 60 s before the swarm's exit notifications, every device idle
  # (connected well before: the hold is 150 s past the ramp), per device per second.
  keepalive=$(awk -v a=$((end - 63)) -v b=$((end - 3)) -v n="$N" -v hz="$hz" \
    '$1 == a {c0 = $3} $1 == b {c1 = $3} END {if (c0 != "" && c1 != "") printf "%.2f us CPU per device per second (%.1f %% of one core)", (c1 - c0) / hz / 60 / n * 1e6, (c1 - c0) / hz / 60 * 100; else print "n/a"}' "$work/rss.txt")
  j="bench/results/swarm-fleet-$server-$N.json"
  s1=$(field "$work/one.json" swarm_rss_mb); sn=$(field "$j" swarm_rss_mb)
  # FleetVPN's once-a-minute resources line: managed and native heap in use, whole process (an upper bound per device).
  inproc=""
  if [ "$server" = fleetvpn ]; then
    line=$(grep "resources:" "$work/server.log" | tail -1)
    managed=$(echo "$line" | sed -n 's/.*managed heap \([0-9]*\) MB.*/\1/p'); native=$(echo "$line" | sed -n 's/.*native heap \([0-9]*\) MB.*/\1/p')
    [ -n "$managed" ] && [ -n "$native" ] && inproc=" in-process: managed ${managed} MB + native ${native} MB = $(( (managed + native) * 1048576 / N )) B/device;"
    last_connect=$(grep " connected, assigned " "$work/server.log" | tail -1 | cut -c1-19)
    echo "  last resources line ($(( $(date -d "${line:0:19}" +%s) - $(date -d "$last_connect" +%s) )) s after the last connect): $line"
  fi
  echo "$server: connected $(field "$j" connected)/$N failed $(field "$j" failed) in $((end - start)) s," \
       "handshakes/s $(field "$j" handshakes_per_s) over the run, peak $(sed -n 's/.*handshakes\/s \([0-9.]*\).*/\1/p' "$work/swarm.log" | sort -n | tail -1) in one second," \
       "keepalive $keepalive," \
       "server RSS idle ${idle} kB, fleet ${full} kB (peak ${peak} kB) = $(( (full - idle) * 1024 / N )) B/device;$inproc" \
       "swarm RSS 1 client ${s1} MB, N clients ${sn} MB = $(awk -v a="$s1" -v b="$sn" -v n="$N" 'BEGIN {printf "%d", (b - a) * 1048576 / n}') B/client"
  kill $sp; wait $sp 2>/dev/null || true; sleep 2
done
