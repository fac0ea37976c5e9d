#!/usr/bin/env bash
# Forged initial resets (P_CONTROL_HARD_RESET_CLIENT_V2, unwrapped, a new session id each) from SOURCES loopback
# addresses against FleetVPN and against the stock openvpn 2.6 server, both on their default connect-freq-initial
# (100 replies per 10 s). One flooding process (bench/lib/reset-flood.py) sends as fast as it can for SECONDS, at most
# 20 M packets. Per server: the flood rate, the packets the server read (the rest the kernel dropped: UDP receive
# buffer errors), the replies it sent, and its RSS before, at the peak (sampled every 0.5 s) and 3 s after.
# Everything happens in one network namespace made for the run (loopback only), deleted on exit.
#
# Usage: sudo bench/flood.sh [SECONDS] [SOURCES]     (default 20 s, 4096 source addresses)
#   SERVERS="fleetvpn openvpn" (default): which servers to run against.  NS=fvflood (default): the namespace.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib/fleet-common.sh
SECONDS_FLOOD=${1:-20}
SOURCES=${2:-4096}
fleet_init "${NS:-fvflood}"
fleet_server_conf 1000 "10 120"
# The flood measures the default reflection guard: drop the raised connect-freq-initial of the fleet runs.
sed -i '/^connect-freq-initial /d' "$FLEET_WORK/server.conf"
work=$FLEET_WORK
echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(fleet_machine), flood ${SECONDS_FLOOD} s from $SOURCES addresses"
udp() { ip netns exec "$FLEET_NS" awk '/^Udp: [0-9]/ {print $'"$1"'}' /proc/net/snmp; } # 2: InDatagrams, 6: RcvbufErrors
for server in ${SERVERS:-fleetvpn openvpn}; do
  fleet_start_server "$server" $((SECONDS_FLOOD + 120)) "$work/server.log"
  sp=$SERVER_PID; sleep 3
  before=$(fleet_rss $sp); in0=$(udp 2); drop0=$(udp 6)
  ip netns exec "$FLEET_NS" timeout -k 5 $((SECONDS_FLOOD + 30)) python3 bench/lib/reset-flood.py 127.0.0.1 1194 "$SOURCES" "$SECONDS_FLOOD" 20000000 > "$work/flood.out" &
  fpid=$!; FLEET_PIDS+=("$fpid")
  peak=$before
  while kill -0 $fpid 2>/dev/null; do r=$(fleet_rss $sp); [ "$r" -gt "$peak" ] && peak=$r; sleep 0.5; done
  wait $fpid || true; fleet_forget $fpid
  in1=$(udp 2); drop1=$(udp 6)
  sleep 3
  after=$(fleet_rss $sp)
  fleet_stop_server
  flood=$(cat "$work/flood.out")
  seconds=$(echo "$flood" | sed 's/.*seconds=\([0-9.]*\).*/\1/')
  read_pkts=$((in1 - in0)); dropped=$((drop1 - drop0))
  absorbed=$(awk -v n=$read_pkts -v s="$seconds" 'BEGIN { printf "%.0f", n / s }')
  echo "$server: $flood; server read $read_pkts ($absorbed/s), kernel dropped $dropped; RSS before $((before / 1024)) MB, peak $((peak / 1024)) MB, after $((after / 1024)) MB"
  [ "$server" = fleetvpn ] && grep -o "counters: .*" "$work/server.log" | sed 's/^/  fleetvpn /' || true
done
