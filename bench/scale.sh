#!/usr/bin/env bash
# Scale (issue 5): fleets of N simulated devices (`fleetvpn swarm`) against FleetVPN and the stock openvpn 2.6 server,
# same machine, same server.conf, one table. Everything runs in one network namespace made for the run (loopback
# only, deleted afterwards, also when interrupted: bench/lib/fleet-common.sh). For each N and server:
#   RSS idle       server RSS 3 s after "Initialization Sequence Completed", no device (then 5 devices connect and
#                  leave: a warm-up, so that compiling the handshake path is not counted below);
#   RSS N          server RSS with all N devices connected, at the end of the keep-alive window (GAP + WINDOW s
#                  after the last one connected); peak: the highest RSS sampled (every second) during the run;
#   KB/device      (RSS N - RSS idle) / N, 1 KB = 1024 B;
#   connect all    seconds from the swarm's start until all N are connected (its progress line; +-1 s), the swarm
#                  asking RAMP new devices per second (default 1000, more than either server takes: the swarm's
#                  hard-reset retransmits, 60 s hand-window and OpenVPN's reconnect back-off do the rest);
#   CPU/handshake  server CPU time (user + system, process and its children) from the swarm's start until all N were
#                  connected, divided by N (handshakes completed: each device connects once; failed and retried
#                  attempts are part of the cost);
#   keep-alive CPU server CPU over a WINDOW-s window (default 60) that starts GAP s (default 5) after the last device
#                  connected, all devices idle (keepalive 10 120: a ping each way every 10 s), as % of one core and
#                  in us per device per second;
#   failed         devices not connected at the end (the swarm's JSON), then the swarm's failure counts (retries).
# openvpn's ifconfig pool stops at a /16 (65,536 addresses), so N > 65,000 cannot run in one openvpn process: its
# row says so. A fleet that is not all connected after CONNECT_LIMIT s is measured as it is and marked.
#
# Usage: sudo bench/scale.sh ["N1 N2 ..."]          (default "10000 50000 100000")
#   SERVERS="fleetvpn openvpn"  which servers (default both);   RAMP=1000  devices per second asked of the swarm;
#   GAP=5 WINDOW=60             the keep-alive window;            CONNECT_LIMIT=S  (default 600 + N/50 per fleet);
#   NOTE="..."                  label of the results section;     RESULTS=bench/results/scale.txt;
#   EST_RATE_FLEETVPN=..., EST_RATE_OPENVPN=...  handshakes/s assumed for the time estimate printed first.
# Writes the table to stdout and appends it to $RESULTS (a dated section with the command, each row as its run
# ends), and one JSON per run: bench/results/scale-SERVER-N.json (these figures and the swarm's summary).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib/fleet-common.sh
CMD=$(fleet_command SERVERS RAMP GAP WINDOW CONNECT_LIMIT NOTE RESULTS EST_RATE_FLEETVPN EST_RATE_OPENVPN -- "$0" "$@")
LIST=${1:-"10000 50000 100000"}
SERVERS=${SERVERS:-"fleetvpn openvpn"}
RAMP=${RAMP:-1000}
GAP=${GAP:-5}
WINDOW=${WINDOW:-60}
RESULTS=${RESULTS:-bench/results/scale.txt}
# Handshakes/s for the estimate: what a 1000/s burst got through on the 2 shared cores of the development machine
# (validation run: fleetvpn 2000 in 15 s, openvpn 2000 in 125 s with 940 hand-window timeouts).
EST_RATE_FLEETVPN=${EST_RATE_FLEETVPN:-150}
EST_RATE_OPENVPN=${EST_RATE_OPENVPN:-20}
command -v jq >/dev/null || { echo "needs jq" >&2; exit 2; }

limit_for() { echo "${CONNECT_LIMIT:-$((600 + $1 / 50))}"; }
runs() { local n s; for n in $LIST; do for s in $SERVERS; do [ "$s" = openvpn ] && [ "$n" -gt 65000 ] && continue; echo "$s $n"; done; done; }
# Time estimate: per run ~30 s of start, idle and warm-up, N / rate to connect (at most the limit), GAP + WINDOW,
# ~10 s + N/10000 s to stop.
est=0; max=60
while read -r s n; do
  rate=$EST_RATE_FLEETVPN; [ "$s" = openvpn ] && rate=$EST_RATE_OPENVPN
  c=$((n / rate)); [ "$c" -le "$(limit_for "$n")" ] || c=$(limit_for "$n")
  est=$((est + 30 + c + GAP + WINDOW + 10 + n / 10000))
  max=$((max + 30 + $(limit_for "$n") + GAP + WINDOW + 300))
done < <(runs)
echo "scale: N in \"$LIST\", servers \"$SERVERS\", ramp $RAMP/s asked; $(runs | wc -l) runs."
echo "estimated time: ~$(( (est + 59) / 60 )) min plus the build (at ${EST_RATE_FLEETVPN}/${EST_RATE_OPENVPN} handshakes/s for fleetvpn/openvpn);" \
     "at most ~$(( (max + 59) / 60 )) min if every fleet runs into its connect limit."

fleet_init fvscscale
machine=$(fleet_machine)
started=$(date -u '+%Y-%m-%d %H:%M UTC')
header=$(printf '%-9s %7s %9s %9s %9s %8s %12s %10s %22s  %s' server devices "idle MB" "N MB" "peak MB" KB/dev "connect all" "CPU ms/hs" "keep-alive CPU" "failed (retries)")
{
  echo
  echo "$started${NOTE:+, $NOTE}"
  echo "Command: $CMD"
  echo "  $machine; server.conf: udp, dev tun, topology subnet, keepalive 10 120, ECDSA P-256 (fleetvpn pki), duplicate-cn,"
  echo "  verb 3; swarm ramp $RAMP/s asked, hand-window 60 s; keep-alive window ${WINDOW} s from ${GAP} s after the last connect."
  echo "$header"
} >> "$RESULTS"
started_at=$started
echo "$header"
finished=0
fleet_on_exit() { [ "$finished" = 1 ] || [ -z "${started_at:-}" ] || echo "  (interrupted at $(date -u '+%H:%M UTC'), exit $1: the rows above are the runs that finished)" >> "$RESULTS"; }
row() { echo "$1"; echo "$1" >> "$RESULTS"; }
mb() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }

run_one() { # server N
  local server=$1 n=$2 limit duration base json out
  limit=$(limit_for "$n")
  duration=$((limit + GAP + WINDOW + 60))
  base=$FLEET_WORK/$server-$n
  json=$base.swarm.json
  out=bench/results/scale-$server-$n.json
  if ! fleet_start_server "$server" $((duration + 900)) "$base.server.log"; then
    row "$(printf '%-9s %7s  server did not start: %s' "$server" "$n" "$(tail -2 "$base.server.log" | tr '\n' ' ')")"; return
  fi
  sleep 3
  local idle; idle=$(fleet_rss "$SERVER_PID")
  # Warm-up: 5 devices connect and leave (the handshake code is compiled before the measured phase; FleetVPN JITs).
  fleet_swarm_start 5 5 3 10 "$base.warmup.json" "$base.warmup.log"; fleet_swarm_wait; sleep 2
  fleet_sampler_start "$base.samples" "$base.swarm.log" $((duration + 900))
  local cpu0 t0; cpu0=$(fleet_cpu "$SERVER_PID"); t0=$SECONDS
  fleet_swarm_start "$n" "$RAMP" "$duration" 0 "$json" "$base.swarm.log"
  # Connect phase: until the progress line says all N are connected (or the limit, or the swarm ended).
  local el conn pr all="" cpu_all conn_at
  while :; do
    read -r el conn pr < <(fleet_progress "$base.swarm.log")
    if [ "$conn" = "$n" ]; then all=$el; break; fi
    kill -0 "$SWARM_TPID" 2>/dev/null || break
    [ $((SECONDS - t0)) -lt "$limit" ] || break
    sleep 0.5
  done
  cpu_all=$(fleet_cpu "$SERVER_PID"); conn_at=$conn
  [ "$conn_at" -gt 0 ] 2>/dev/null || conn_at=0
  # Keep-alive window: all devices idle.
  local ka_c0 ka_c1 ka_t0 ka_t1 ka_pct="" ka_us="" rss_n min_conn=""
  if [ -n "$all" ]; then
    sleep "$GAP"
    ka_c0=$(fleet_cpu "$SERVER_PID"); ka_t0=$(date +%s.%N)
    sleep "$WINDOW"
    ka_c1=$(fleet_cpu "$SERVER_PID"); ka_t1=$(date +%s.%N)
    ka_pct=$(awk -v a="$ka_c0" -v b="$ka_c1" -v t0="$ka_t0" -v t1="$ka_t1" -v hz="$FLEET_HZ" 'BEGIN {printf "%.2f", (b - a) / hz / (t1 - t0) * 100}')
    ka_us=$(awk -v a="$ka_c0" -v b="$ka_c1" -v t0="$ka_t0" -v t1="$ka_t1" -v hz="$FLEET_HZ" -v n="$n" 'BEGIN {printf "%.2f", (b - a) / hz / (t1 - t0) / n * 1e6}')
    min_conn=$(awk -v a="${ka_t0%.*}" -v b="${ka_t1%.*}" 'BEGIN {m = -1} $1 >= a && $1 <= b && $6 >= 0 {if (m < 0 || $6 < m) m = $6} END {print m}' "$base.samples")
  fi
  rss_n=$(fleet_rss "$SERVER_PID")
  fleet_swarm_stop
  fleet_sampler_stop
  fleet_stop_server
  local peak; peak=$(awk '$3 > m {m = $3} END {print m + 0}' "$base.samples")
  local failed retries; failed=$(fleet_field "$json" failed); retries=$(fleet_failures "$json")
  local cpu_hs="" connect_s kb
  [ "$conn_at" -gt 0 ] && cpu_hs=$(awk -v a="$cpu0" -v b="$cpu_all" -v hz="$FLEET_HZ" -v n="$conn_at" 'BEGIN {printf "%.2f", (b - a) / hz * 1000 / n}')
  kb=$(awk -v a="$idle" -v b="$rss_n" -v n="$n" 'BEGIN {printf "%.2f", (b - a) / n}')
  if [ -n "$all" ]; then connect_s="$(printf '%.0f s' "$all")"; else connect_s="NOT ALL: $conn_at/$n in ${limit} s"; fi
  local ka="n/a"; [ -n "$ka_pct" ] && ka="$ka_pct % ($ka_us us/dev/s)"
  [ -n "$min_conn" ] && [ "$min_conn" != "$n" ] && ka="$ka, only $min_conn connected at one point"
  row "$(printf '%-9s %7s %9s %9s %9s %8s %12s %10s %22s  %s' "$server" "$n" "$(mb "$idle")" "$(mb "$rss_n")" "$(mb "$peak")" "$kb" "$connect_s" "${cpu_hs:-n/a}" "$ka" "${failed:-n/a} ($retries)")"
  jq -n --arg server "$server" --argjson n "$n" --argjson ramp "$RAMP" --argjson idle "$idle" --argjson rss_n "$rss_n" \
    --argjson peak "$peak" --arg connect_all_s "${all}" --argjson connected_at "$conn_at" --arg cpu_ms_per_handshake "$cpu_hs" \
    --arg ka_pct "$ka_pct" --arg ka_us "$ka_us" --argjson window "$WINDOW" --argjson limit "$limit" --arg started "$started" \
    --arg note "${NOTE:-}" --arg command "$CMD" --arg machine "$machine" \
    --slurpfile swarm <(cat "$json" 2>/dev/null || echo null) '
    def num: if . == "" then null else tonumber end;
    {server: $server, devices: $n, ramp_asked_per_s: $ramp, started: $started, note: $note, command: $command, machine: $machine,
     server_rss_idle_kb: $idle, server_rss_connected_kb: $rss_n, server_rss_peak_kb: $peak,
     kb_per_device: (($rss_n - $idle) / $n), connect_all_s: ($connect_all_s | num), connect_limit_s: $limit,
     connected_when_connect_phase_ended: $connected_at, server_cpu_ms_per_handshake: ($cpu_ms_per_handshake | num),
     keepalive_window_s: $window, keepalive_cpu_percent_of_one_core: ($ka_pct | num), keepalive_cpu_us_per_device_per_s: ($ka_us | num),
     swarm: $swarm[0]}' > "$out"
}

for n in $LIST; do
  fleet_server_conf "$n" "10 120"
  for server in $SERVERS; do
    if [ "$server" = openvpn ] && [ "$n" -gt 65000 ]; then
      row "$(printf '%-9s %7s  not run: openvpn'"'"'s ifconfig pool stops at a /16 (65,536 addresses), so %s devices need more than one process' "$server" "$n" "$n")"
      jq -n --arg server "$server" --argjson n "$n" '{server: $server, devices: $n, skipped: "ifconfig pool stops at a /16 (65,536 addresses) per openvpn process"}' > "bench/results/scale-$server-$n.json"
      continue
    fi
    run_one "$server" "$n"
  done
done
finished=1
echo "  (finished $(date -u '+%H:%M UTC'); JSON per run: bench/results/scale-SERVER-N.json)" >> "$RESULTS"
echo "table appended to $RESULTS"
