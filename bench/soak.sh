#!/usr/bin/env bash
# Soak test (issue 7): N simulated devices (`fleetvpn swarm --scenario churn`: every CHURN_INTERVAL s, CHURN_PERCENT %
# of the connected devices leave and reconnect) against FleetVPN for DURATION s, keepalive 10 120. Every minute the
# server's RSS, open descriptors, threads, clients and the resources line are sampled. At the end: memory and
# handle counts of the first and the last sampled quarter after the ramp (growth beyond noise is the finding), and
# the devices lost for good (the swarm's "failed" and "never_connected": must be 0).
# Everything runs in one network namespace made for the run (loopback only, deleted afterwards).
#
# Usage: sudo bench/soak.sh [N] [DURATION_S]        (default 10000 devices, 3600 s: the issue's hour)
#   RAMP=200 devices/s; CHURN_PERCENT=10; CHURN_INTERVAL=60; RESULTS=bench/results/soak.txt
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib/fleet-common.sh
CMD=$(fleet_command RAMP CHURN_PERCENT CHURN_INTERVAL RESULTS -- "$0" "$@")
N=${1:-10000}
DURATION=${2:-3600}
RAMP=${RAMP:-200}
CHURN_PERCENT=${CHURN_PERCENT:-10}
CHURN_INTERVAL=${CHURN_INTERVAL:-60}
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
  sleep 60
  kill -0 "$sp" 2>/dev/null || { echo "the server died" >&2; break; }
  read -r _ connected _ < <(fleet_progress "$FLEET_WORK/swarm.log")
  echo "$(( $(date +%s) - t0 )) $(fleet_rss "$sp") $(ls /proc/"$sp"/fd | wc -l) $(ls /proc/"$sp"/task | wc -l) $connected" >> "$samples"
done
fleet_swarm_wait

ramp_s=$(( N / RAMP + 60 ))
summary=$(awk -v r="$ramp_s" '$1 > r && $5 > 0 { a[n++] = $0 } END {
    if (n < 4) { print "too few samples after the ramp"; exit }
    q = int(n / 4); for (i = 0; i < q; i++) { split(a[i], f, " "); r1 += f[2]; d1 += f[3]; t1 += f[4] }
    for (i = n - q; i < n; i++) { split(a[i], f, " "); r2 += f[2]; d2 += f[3]; t2 += f[4] }
    printf "first quarter after the ramp: RSS %.1f MB, fds %.0f, threads %.0f; last quarter: RSS %.1f MB, fds %.0f, threads %.0f (%d samples, one a minute)",
      r1 / q / 1024, d1 / q, t1 / q, r2 / q / 1024, d2 / q, t2 / q, n }' "$samples")
swarm=$(jq -r '"connected \(.connected)/\(.clients), failed \(.failed), never connected \(.never_connected), churned \(.churned), handshakes \(.handshakes), failures \(.failures)"' "$json")
{
  echo
  echo "$started: $machine"
  echo "Command: $CMD"
  echo "  swarm: $swarm"
  echo "  server: $summary"
  echo "  last resources line: $(grep 'resources:' "$FLEET_WORK/server.log" | tail -1 | cut -c1-300)"
  echo "  samples (elapsed s, RSS kB, fds, threads, connected):"
  sed 's/^/    /' "$samples"
} | tee -a "$RESULTS"
