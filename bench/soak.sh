#!/usr/bin/env bash
# Soak test (issue 7): N simulated devices (`fleetvpn swarm --scenario churn`: every CHURN_INTERVAL s, CHURN_PERCENT %
# of the connected devices leave and reconnect) against FleetVPN for DURATION s, keepalive 10 120. Every SAMPLE_S s
# (default 10) the server's RSS, open descriptors, threads and clients are sampled. At the end: memory and handle
# counts of the first and the last quarter after the ramp, as the mean and the minimum of their samples (growth
# beyond noise is the finding), and the devices lost for good (the swarm's "failed" and "never_connected": must be 0).
# The RSS swings with the churn: each burst of reconnects holds ~1,000 TLS handshakes at once, tens of MB for a few
# seconds. Samples many times per churn period see every phase of it; one a minute would alias against the 60 s
# churn (the first run, in bench/results/soak.txt, did) and show a phase drift as growth. The minimum is the memory
# between bursts. The listing shows each minute's lowest and highest RSS.
# Everything runs in one network namespace made for the run (loopback only, deleted afterwards).
#
# Usage: sudo bench/soak.sh [N] [DURATION_S]        (default 10000 devices, 3600 s: the issue's hour)
#   RAMP=200 devices/s; CHURN_PERCENT=10; CHURN_INTERVAL=60; SAMPLE_S=10; RESULTS=bench/results/soak.txt
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib/fleet-common.sh
CMD=$(fleet_command RAMP CHURN_PERCENT CHURN_INTERVAL SAMPLE_S RESULTS -- "$0" "$@")
N=${1:-10000}
DURATION=${2:-3600}
RAMP=${RAMP:-200}
CHURN_PERCENT=${CHURN_PERCENT:-10}
CHURN_INTERVAL=${CHURN_INTERVAL:-60}
SAMPLE_S=${SAMPLE_S:-10}
RESULTS=${RESULTS:-bench/results/soak.txt}
command -v jq >/dev/null || { echo "needs jq" >&2; exit 2; }

fleet_init fvsoak
machine=$(fleet_machine)
started=$(date -u '+%Y-%m-%d %H:%M UTC')
fleet_server_conf "$N" "10 120"
fleet_start_server fleetvpn $((DURATION + 900)) "$FLEET_WORK/server.log"
sp=$SERVER_PID
json="$FLEET_WORK/swarm.json"
ip netns exec "$FLEET_NS" timeout -k 30 $((DURATION + 600)) "$FV" swarm --remote 127.0.0.1:1194 --clients "$N" \
  --pki "$FLEET_WORK/pki" --ramp "$RAMP" --duration "$DURATION" --settle 120 --scenario churn \
  --churn-percent "$CHURN_PERCENT" --churn-interval "$CHURN_INTERVAL" --json "$json" > "$FLEET_WORK/swarm.log" 2>&1 < /dev/null &
SWARM_TPID=$!; FLEET_PIDS+=("$SWARM_TPID")

samples="$FLEET_WORK/samples.txt"   # elapsed_s rss_kb fds threads connected
t0=$(date +%s)
while kill -0 "$SWARM_TPID" 2>/dev/null; do
  sleep "$SAMPLE_S"
  kill -0 "$sp" 2>/dev/null || { echo "the server died" >&2; break; }
  read -r _ connected _ < <(fleet_progress "$FLEET_WORK/swarm.log")
  echo "$(( $(date +%s) - t0 )) $(fleet_rss "$sp") $(ls /proc/"$sp"/fd | wc -l) $(ls /proc/"$sp"/task | wc -l) $connected" >> "$samples"
done
fleet_swarm_wait

ramp_s=$(( N / RAMP + 60 ))
summary=$(awk -v r="$ramp_s" '$1 > r && $5 > 0 { a[n++] = $0 } END {
    if (n < 8) { print "too few samples after the ramp"; exit }
    q = int(n / 4); m1 = m2 = 1e18
    for (i = 0; i < q; i++) { split(a[i], f, " "); r1 += f[2]; d1 += f[3]; t1 += f[4]; if (f[2] < m1) m1 = f[2] }
    for (i = n - q; i < n; i++) { split(a[i], f, " "); r2 += f[2]; d2 += f[3]; t2 += f[4]; if (f[2] < m2) m2 = f[2] }
    printf "first quarter after the ramp: RSS mean %.1f MB (lowest %.1f), fds %.0f, threads %.0f; last quarter: RSS mean %.1f MB (lowest %.1f), fds %.0f, threads %.0f (%d samples)",
      r1 / q / 1024, m1 / 1024, d1 / q, t1 / q, r2 / q / 1024, m2 / 1024, d2 / q, t2 / q, n }' "$samples")
swarm=$(jq -r '"connected \(.connected)/\(.clients), failed \(.failed), never connected \(.never_connected), churned \(.churned), handshakes \(.handshakes), failures \(.failures)"' "$json")
{
  echo
  echo "$started: $machine"
  echo "Command: $CMD"
  echo "  swarm: $swarm"
  echo "  server: $summary"
  echo "  last resources line: $(grep 'resources:' "$FLEET_WORK/server.log" | tail -1 | cut -c1-300)"
  echo "  each minute (minute, lowest and highest RSS kB, most fds, most threads, fewest connected):"
  awk '{ m = int($1 / 60); if (!(m in lo) || $2 < lo[m]) lo[m] = $2; if ($2 > hi[m]) hi[m] = $2; if ($3 > fd[m]) fd[m] = $3
         if ($4 > th[m]) th[m] = $4; if (!(m in co) || $5 < co[m]) co[m] = $5; if (m > last) last = m }
       END { for (m = 0; m <= last; m++) if (m in lo) printf "    %d %d %d %d %d %d\n", m, lo[m], hi[m], fd[m], th[m], co[m] }' "$samples"
} | tee -a "$RESULTS"
