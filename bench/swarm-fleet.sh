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
#   NS=fvfleet (default): the network namespace made for the run (bench/lib/fleet-common.sh: deleted on exit).
#   DIAG=DIR: 30 s before the fleet's end, FleetVPN's memory map (smaps, and pmap -x sorted by RSS) into DIR, and
#     a heap report by type if dotnet-gcdump is installed; the server writes glibc's malloc_info report to
#     DIR/malloc-info.xml once a minute (FLEETVPN_MALLOC_INFO). The dump runs a full GC: a DIAG run's RSS figure
#     is for diagnosis, not for the results.
#   Prints one result line per server and leaves the swarm's JSON summaries in bench/results/swarm-fleet-*.json.
# Note: openvpn's ifconfig pool stops at a /16 (65,536 addresses), so past ~65,000 clients only FleetVPN runs.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib/fleet-common.sh
N=${1:-10000}
RAMP=${2:-200}
fleet_init "${NS:-fvfleet}"
if [ -n "${DIAG:-}" ]; then mkdir -p "$DIAG"; export FLEETVPN_MALLOC_INFO="$DIAG/malloc-info.xml"; fi
fleet_server_conf "$N" "10 120"
hz=$FLEET_HZ
fv=$FV
work=$FLEET_WORK
echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(fleet_machine), N=$N, ramp $RAMP/s"
swarm() { # clients json duration
  fleet_swarm_start "$1" "$RAMP" "$3" 120 "$2" "$work/swarm.log"
  fleet_swarm_wait
  [ "$SWARM_RC" = 0 ] || echo "(swarm exit $SWARM_RC: $(tail -3 "$work/swarm.log" | tr '\n' ' '))"
}
field() { fleet_field "$1" "$2"; }
for server in ${SERVERS:-fleetvpn openvpn}; do
  if [ "$server" = openvpn ] && [ "$N" -gt 65000 ]; then echo "openvpn: skipped, its pool stops at a /16"; continue; fi
  # The hold: the ramp (at the asked rate, or at 150 handshakes/s if that is slower: what 2 shared cores reach
  # sustained), then HOLD s (at least 150, so that one of the server's once-a-minute resources lines and memory
  # reclaims comes well after the last handshake's TLS session was released).
  ramp_s=$(( N / RAMP > N / 150 ? N / RAMP : N / 150 ))
  duration=$(( ramp_s + ${HOLD:-150} ))
  fleet_start_server "$server" $((duration + 600)) "$work/server.log"
  sp=$SERVER_PID; sleep 3
  idle=$(fleet_rss $sp)
  swarm 1 "$work/one.json" 5
  # Sample the server's RSS every second while the fleet runs; the last sample before the swarm's exit
  # notifications is the fleet-connected figure (the swarm holds its clients until --duration ends).
  # Each second: time, server pid, RSS (kB), CPU time used so far (clock ticks, user + system), swarm progress.
  fleet_sampler_start "$work/rss.txt" "$work/swarm.log" $((duration + 500))
  start=$(date +%s)
  [ -n "${DIAG:-}" ] && [ "$server" = fleetvpn ] && fleet_diag_at $((start + duration - 30)) "$sp" "$DIAG"
  swarm "$N" "bench/results/swarm-fleet-$server-$N.json" "$duration"
  end=$(date +%s)
  fleet_sampler_stop
  # The sample taken 3 s before the swarm ended (its exit notifications take the last ~2 s).
  full=$(awk -v t=$((end - 3)) '$1 <= t {v = $3} END {print v}' "$work/rss.txt")
  peak=$(awk '$3 > m {m = $3} END {print m}' "$work/rss.txt")
  # Keepalive cost: the server's CPU over the 60 s before the swarm's exit notifications, every device idle
  # (connected well before: the hold is 150 s past the ramp), per device per second.
  keepalive=$(awk -v a=$((end - 63)) -v b=$((end - 3)) -v n="$N" -v hz="$hz" \
    '$1 <= a {t0 = $1; c0 = $4} $1 <= b {t1 = $1; c1 = $4} END {if (c0 != "" && t1 > t0) printf "%.2f us CPU per device per second (%.1f %% of one core)", (c1 - c0) / hz / (t1 - t0) / n * 1e6, (c1 - c0) / hz / (t1 - t0) * 100; else print "n/a"}' "$work/rss.txt")
  j="bench/results/swarm-fleet-$server-$N.json"
  s1=$(field "$work/one.json" swarm_rss_mb); sn=$(field "$j" swarm_rss_mb)
  # FleetVPN's once-a-minute resources line: managed and native heap in use, whole process (an upper bound per device).
  inproc=""
  if [ "$server" = fleetvpn ]; then
    line=$(grep "resources:" "$work/server.log" | tail -1 || true)
    managed=$(echo "$line" | sed -n 's/.*managed heap \([0-9]*\) MB.*/\1/p'); native=$(echo "$line" | sed -n 's/.*native heap \([0-9]*\) MB.*/\1/p')
    [ -n "$managed" ] && [ -n "$native" ] && inproc=" in-process: managed ${managed} MB + native ${native} MB = $(( (managed + native) * 1048576 / N )) B/device;"
    last_connect=$(grep " connected, assigned " "$work/server.log" | tail -1 | cut -c1-19 || true)
    [ -n "$line" ] && [ -n "$last_connect" ] && echo "  last resources line ($(( $(date -d "${line:0:19}" +%s) - $(date -d "$last_connect" +%s) )) s after the last connect): $line"
  fi
  echo "$server: connected $(field "$j" connected)/$N failed $(field "$j" failed) in $((end - start)) s," \
       "handshakes/s $(field "$j" handshakes_per_s) over the run, peak $(sed -n 's/.*handshakes\/s \([0-9.]*\).*/\1/p' "$work/swarm.log" | sort -n | tail -1) in one second," \
       "keepalive $keepalive," \
       "server RSS idle ${idle} kB, fleet ${full} kB (peak ${peak} kB) = $(( (full - idle) * 1024 / N )) B/device;$inproc" \
       "swarm RSS 1 client ${s1} MB, N clients ${sn} MB = $(awk -v a="$s1" -v b="$sn" -v n="$N" 'BEGIN {printf "%d", (b - a) * 1048576 / n}') B/client"
  fleet_stop_server; sleep 2
done
