#!/usr/bin/env bash
# Reconnect storm after a server crash (issue 5): N simulated devices (`fleetvpn swarm`) connected to the server,
# then the server is SIGKILLed (no exit notification, no RESTART: the devices are not told) and started again at
# once with the same config. Measured from the restart: the time until all N are connected again, the server's
# peak RSS during the storm, its CPU per reconnect, and the devices lost for good (not connected at the end:
# must be 0). FleetVPN, then the stock openvpn 2.6 for comparison where it can (N <= 65,000: its pool stops at a
# /16). Everything runs in one network namespace made for the run (loopback only, deleted afterwards, also when
# interrupted: bench/lib/fleet-common.sh).
#
# How the devices notice: like real openvpn clients, only through ping-restart (the swarm's SimulatedClient: in
# the Connected phase, nothing received for the pushed ping-restart seconds -> session torn down, a new socket on a
# new source port after OpenVPN's back-off, 1 s, then a new hard reset). The restarted server knows none of the old
# sessions and drops their data packets; a UDP client gets no error. The bench therefore pushes a shorter keepalive
# than the usual `keepalive 10 120`: KEEPALIVE="5 30" (default), so devices notice 25-30 s after the kill (the
# server's ping every 5 s spreads the moments over ~5 s). The figures separate that wait from the reconnect itself:
#   init        restart -> "Initialization Sequence Completed";
#   noticed     restart -> first / last device whose ping-restart fired (the swarm's failure count; +-1 s);
#   all back    restart -> all N connected again, each after its ping-restart (the swarm's progress line, +-1 s);
#   reconnect   first ping-restart -> all back: the reconnect storm proper;
#   RSS         server RSS just before the kill; peak: highest RSS of the restarted server, sampled every second
#               until AFTER s after all were back;
#   CPU/hs      restarted server's CPU time (user + system) from "Initialization Sequence Completed" until all were
#               back, divided by N (its start-up is left out; the idle wait for ping-restart costs next to nothing);
#   lost        devices not connected when the swarm stopped, AFTER s after all were back (its JSON's "failed").
#
# Usage: sudo bench/storm.sh [N]                    (default N=10000)
#   SERVERS="fleetvpn openvpn" (default);  KEEPALIVE="5 30";  RAMP=200 devices/s for the first connect (not measured);
#   HOLD=10 s idle before the kill;  AFTER=10 s after all back;  CONNECT_LIMIT / STORM_LIMIT s (default 600 + N/50 each);
#   NOTE="..." label of the results section;  RESULTS=bench/results/storm.txt.
# Writes a table to stdout and appends it to $RESULTS (dated, with the command); JSON per run: bench/results/storm-SERVER-N.json.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib/fleet-common.sh
CMD=$(fleet_command SERVERS KEEPALIVE RAMP HOLD AFTER CONNECT_LIMIT STORM_LIMIT NOTE RESULTS -- "$0" "$@")
N=${1:-10000}
SERVERS=${SERVERS:-"fleetvpn openvpn"}
KEEPALIVE=${KEEPALIVE:-"5 30"}
RAMP=${RAMP:-200}
HOLD=${HOLD:-10}
AFTER=${AFTER:-10}
CONNECT_LIMIT=${CONNECT_LIMIT:-$((600 + N / 50))}
STORM_LIMIT=${STORM_LIMIT:-$((600 + N / 50))}
RESULTS=${RESULTS:-bench/results/storm.txt}
command -v jq >/dev/null || { echo "needs jq" >&2; exit 2; }
ping_restart=${KEEPALIVE#* }

servers=""
for s in $SERVERS; do [ "$s" = openvpn ] && [ "$N" -gt 65000 ] || servers+="$s "; done
# Time estimate: start ~25 s, first connect at the ramp (or ~200/s if slower), HOLD, ping-restart, the storm
# (~200 handshakes/s on 2 shared cores), AFTER, stop.
one=$((25 + N / (RAMP < 200 ? RAMP : 200) + HOLD + ping_restart + 5 + N / 200 + AFTER + 15))
max=$((25 + CONNECT_LIMIT + HOLD + STORM_LIMIT + AFTER + 300))
count=$(echo $servers | wc -w)
echo "storm: N=$N, servers \"${servers% }\", keepalive $KEEPALIVE pushed."
echo "estimated time: ~$(( (count * one + 59) / 60 )) min plus the build; at most ~$(( (count * max + 59) / 60 )) min (connect and storm limits)."

fleet_init fvscstorm
machine=$(fleet_machine)
started=$(date -u '+%Y-%m-%d %H:%M UTC')
header=$(printf '%-9s %7s %6s %13s %10s %10s %8s %8s %9s %5s  %s' server devices "init" "noticed" "all back" reconnect "RSS MB" "peak MB" "CPU ms/hs" lost "failures (whole run)")
{
  echo
  echo "$started${NOTE:+, $NOTE}"
  echo "Command: $CMD"
  echo "  $machine; server.conf: udp, dev tun, topology subnet, keepalive $KEEPALIVE (pushed: devices ping-restart after ${ping_restart} s),"
  echo "  ECDSA P-256 (fleetvpn pki), duplicate-cn, verb 3; first connect at $RAMP/s asked; SIGKILL after ${HOLD} s idle, restart at once."
  echo "  Times in seconds from the restart (+-1 s); noticed: first/last device's ping-restart."
  echo "$header"
} >> "$RESULTS"
started_at=$started
echo "$header"
finished=0
fleet_on_exit() { [ "$finished" = 1 ] || [ -z "${started_at:-}" ] || echo "  (interrupted at $(date -u '+%H:%M UTC'), exit $1: the rows above are the runs that finished)" >> "$RESULTS"; }
row() { echo "$1"; echo "$1" >> "$RESULTS"; }
mb() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
since() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.0f", b - a}'; }

storm_one() { # server
  local server=$1 duration base json out el conn pr t0
  duration=$((CONNECT_LIMIT + HOLD + STORM_LIMIT + AFTER + 60))
  base=$FLEET_WORK/$server
  json=$base.swarm.json
  out=bench/results/storm-$server-$N.json
  if ! fleet_start_server "$server" $((duration + 900)) "$base.server.log"; then
    row "$(printf '%-9s %7s  server did not start: %s' "$server" "$N" "$(tail -2 "$base.server.log" | tr '\n' ' ')")"; return
  fi
  fleet_sampler_start "$base.samples" "$base.swarm.log" $((duration + 900))
  fleet_swarm_start "$N" "$RAMP" "$duration" 0 "$json" "$base.swarm.log"
  t0=$SECONDS
  while :; do
    read -r el conn pr < <(fleet_progress "$base.swarm.log")
    [ "$conn" = "$N" ] && break
    if ! kill -0 "$SWARM_TPID" 2>/dev/null || [ $((SECONDS - t0)) -ge "$CONNECT_LIMIT" ]; then
      row "$(printf '%-9s %7s  not all connected before the kill: %s/%s in %s s; no storm' "$server" "$N" "$conn" "$N" "$CONNECT_LIMIT")"
      fleet_swarm_stop; fleet_sampler_stop; fleet_stop_server; return
    fi
    sleep 0.5
  done
  local first_connect_s=$el
  sleep "$HOLD"
  local pr0 rss_before failures_before line
  read -r el conn pr0 < <(fleet_progress "$base.swarm.log")
  line=$(grep '^\[ *[0-9.]*s\] started' "$base.swarm.log" | tail -1)
  failures_before=${line##*failures }
  rss_before=$(fleet_rss "$SERVER_PID")
  # The crash and the restart.
  fleet_kill_server
  local t_restart t_init
  t_restart=$(date +%s.%N)
  if ! fleet_start_server "$server" $((STORM_LIMIT + AFTER + 900)) "$base.server2.log"; then
    row "$(printf '%-9s %7s  server did not restart: %s' "$server" "$N" "$(tail -2 "$base.server2.log" | tr '\n' ' ')")"
    fleet_swarm_stop; fleet_sampler_stop; return
  fi
  t_init=$(date +%s.%N)
  local cpu_init; cpu_init=$(fleet_cpu "$SERVER_PID")
  local new_pid=$SERVER_PID t_first="" t_noticed="" t_all="" min_conn=$N now cpu_all=""
  while :; do
    read -r el conn pr < <(fleet_progress "$base.swarm.log")
    now=$(date +%s.%N)
    [ "$conn" -ge 0 ] && [ "$conn" -lt "$min_conn" ] && min_conn=$conn
    [ -z "$t_first" ] && [ "$pr" -gt "$pr0" ] && t_first=$now
    [ -z "$t_noticed" ] && [ $((pr - pr0)) -ge "$N" ] && t_noticed=$now
    if [ -n "$t_noticed" ] && [ "$conn" = "$N" ]; then t_all=$now; cpu_all=$(fleet_cpu "$SERVER_PID"); break; fi
    kill -0 "$SWARM_TPID" 2>/dev/null || break
    [ "$(since "$t_restart" "$now")" -lt "$STORM_LIMIT" ] || break
    sleep 0.5
  done
  [ -n "$t_all" ] && sleep "$AFTER"
  local rss_after; rss_after=$(fleet_rss "$SERVER_PID")
  fleet_swarm_stop
  fleet_sampler_stop
  fleet_stop_server
  local peak; peak=$(awk -v p="$new_pid" '$2 == p && $3 > m {m = $3} END {print m + 0}' "$base.samples")
  local lost failures; lost=$(fleet_field "$json" failed); failures=$(fleet_failures "$json")
  local init_s first_s noticed_s all_s recon_s cpu_hs=""
  init_s=$(since "$t_restart" "$t_init")
  first_s=${t_first:+$(since "$t_restart" "$t_first")}
  noticed_s=${t_noticed:+$(since "$t_restart" "$t_noticed")}
  all_s=${t_all:+$(since "$t_restart" "$t_all")}
  recon_s=""; [ -n "$t_all" ] && [ -n "$t_first" ] && recon_s=$(since "$t_first" "$t_all")
  [ -n "$cpu_all" ] && cpu_hs=$(awk -v c="$cpu_all" -v c0="$cpu_init" -v hz="$FLEET_HZ" -v n="$N" 'BEGIN {printf "%.2f", (c - c0) / hz * 1000 / n}')
  local all_txt=$all_s
  [ -n "$t_all" ] || all_txt="NOT ALL: $conn/$N, $((pr - pr0)) noticed, in ${STORM_LIMIT} s"
  row "$(printf '%-9s %7s %6s %13s %10s %10s %8s %8s %9s %5s  %s' "$server" "$N" "$init_s" "${first_s:-n/a}/${noticed_s:-n/a}" "$all_txt" "${recon_s:-n/a}" \
    "$(mb "$rss_before")" "$(mb "$peak")" "${cpu_hs:-n/a}" "${lost:-n/a}" "$failures")"
  jq -n --arg server "$server" --argjson n "$N" --arg keepalive "$KEEPALIVE" --argjson ramp "$RAMP" --arg started "$started" \
    --arg note "${NOTE:-}" --arg command "$CMD" --arg machine "$machine" --arg first_connect_s "$first_connect_s" \
    --arg init_s "$init_s" --arg first_s "${first_s:-}" --arg noticed_s "${noticed_s:-}" --arg all_s "${all_s:-}" --arg recon_s "${recon_s:-}" \
    --argjson rss_before "$rss_before" --argjson peak "$peak" --argjson rss_after "$rss_after" --arg cpu_hs "$cpu_hs" \
    --argjson min_conn "$min_conn" --arg failures_before "$failures_before" --argjson limit "$STORM_LIMIT" \
    --slurpfile swarm <(cat "$json" 2>/dev/null || echo null) '
    def num: if . == "" then null else tonumber end;
    {server: $server, devices: $n, keepalive: $keepalive, ramp_asked_per_s: $ramp, started: $started, note: $note, command: $command,
     machine: $machine, first_connect_all_s: ($first_connect_s | num), storm_limit_s: $limit,
     restart_to_init_s: ($init_s | num), restart_to_first_ping_restart_s: ($first_s | num), restart_to_last_ping_restart_s: ($noticed_s | num),
     restart_to_all_connected_s: ($all_s | num), first_ping_restart_to_all_connected_s: ($recon_s | num),
     connected_min_during_storm: $min_conn, server_rss_before_kill_kb: $rss_before, server_rss_peak_after_restart_kb: $peak,
     server_rss_after_storm_kb: $rss_after, server_cpu_ms_per_reconnect: ($cpu_hs | num),
     swarm_failures_before_kill: $failures_before, lost_for_good: $swarm[0].failed, swarm: $swarm[0]}' > "$out"
}

fleet_server_conf "$N" "$KEEPALIVE"
for server in $SERVERS; do
  if [ "$server" = openvpn ] && [ "$N" -gt 65000 ]; then
    row "$(printf '%-9s %7s  not run: openvpn'"'"'s ifconfig pool stops at a /16 (65,536 addresses) per process' "$server" "$N")"
    continue
  fi
  storm_one "$server"
done
finished=1
echo "  (finished $(date -u '+%H:%M UTC'); JSON per run: bench/results/storm-SERVER-N.json)" >> "$RESULTS"
echo "table appended to $RESULTS"
