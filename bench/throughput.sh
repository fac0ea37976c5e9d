#!/usr/bin/env bash
# Data-channel throughput (issue 5): CLIENTS simulated clients (`fleetvpn swarm --traffic-target`) send UDP datagrams
# through their tunnels to a sink (`fleetvpn bench sink`) on the server's tun address, FleetVPN against the stock
# openvpn 2.6 server, same machine, same run, same server.conf. Everything happens in one network namespace made for
# the run (loopback only). Direction measured: client -> server (the server decrypts and writes to its tun).
#
# For each server, payload (PAYLOADS) and offered rate (RATES, datagrams/s for all clients together; "max": the
# swarm's sending thread as fast as it goes), one swarm run: the fleet connects, then traffic for about SECONDS + 4 s;
# the figures are taken over SECONDS s from 2 s after the traffic started:
#   offered   what the swarm handed to the kernel (its JSON summary, traffic.sent_per_s)
#   delivered datagrams the sink received (its running totals, over the window): what the server really forwarded
#   tun rx    packets the server wrote into its tun (the interface's counter), a cross-check of the sink
#   loss      1 - delivered / offered (over the window)
#   lost/run  share of all datagrams sent in the run that the sink never received (counted after the server drained)
#   Mbit/s    delivered x payload bits (UDP payload only; no IP/UDP/tunnel overhead)
#   CPU %     of one core over the window, for the server (srvCPU), the swarm and the sink
#   pps/core  delivered per second per core of server CPU (delivered / srvCPU): the swarm and the sink share the
#             machine's cores with the server, so at saturation the server gets what they leave
#   other     CPU % of one core used by anything else on the machine over the window (/proc/stat busy time minus
#             the three above): work of others on the machine, which takes cores from the run
#   rcvbuf    UDP datagrams the namespace's kernel dropped in the run because a socket's receive buffer was full
#             (the server's, from the swarm; or the sink's)
#   senders   distinct tunnel addresses the sink heard from / clients
#
# Usage: sudo bench/throughput.sh [CLIENTS] [SECONDS]     (default 100 clients, 20 s)
#   SERVERS="fleetvpn openvpn" (default), PAYLOADS="100 1400" (default, 8..1400),
#   RATES="25000 50000 100000 150000 max" (default).
# The openvpn server gets two lines FleetVPN does not parse: connect-freq-initial (its default answers only 100
# new clients per 10 s) and rcvbuf/sndbuf 4 MiB (FleetVPN sets a 4 MiB receive buffer itself; openvpn keeps the OS
# default unless told).
set -euo pipefail
cd "$(dirname "$0")/.."
CLIENTS=${1:-100}
WINDOW=${2:-20}
PAYLOADS=${PAYLOADS:-100 1400}
RATES=${RATES:-25000 50000 100000 150000 max}
NS=fvtp-bench-$$
PORT=9000
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; sleep 1; ip netns del $NS 2>/dev/null || true; [ -n "${KEEP:-}" ] && cp -r "$work" "$KEEP"; rm -rf "$work"; }
trap cleanup EXIT
dotnet publish src/FleetVpn.Cli -c Release -o out/fleetvpn --nologo -v quiet >/dev/null
fv=out/fleetvpn/fleetvpn
"$fv" pki init "$work/pki" >/dev/null
"$fv" pki server "$work/pki" --cn server >/dev/null
"$fv" pki clients "$work/pki" --count 5 >/dev/null
ip netns add $NS
ip -n $NS link set lo up

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
max-clients $((CLIENTS + 100))
verb 3
CONF
cp "$work/server.conf" "$work/openvpn.conf"
printf 'connect-freq-initial 100000 10\nrcvbuf 4194304\nsndbuf 4194304\n' >> "$work/openvpn.conf"

hz=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $(openvpn --version | head -1 | cut -d' ' -f1-2), fleetvpn $("$fv" --version)"
echo "# $CLIENTS clients, AES-256-GCM, window $WINDOW s per run, client -> server UDP through the tunnel to a sink on 10.8.0.1:$PORT"
printf '%-8s %7s %9s %10s %10s %7s %9s %7s %9s %7s %7s %7s %9s %8s %8s\n' server payload offered delivered "tun rx" loss "Mbit/s" srvCPU "pps/core" swarm sink other "lost/run" rcvbuf senders
# The servers take turns at each payload and rate (a fresh server each run), so that other work on the machine,
# which comes and goes, weighs on both alike.
for payload in $PAYLOADS; do
  for rate in $RATES; do
    for server in ${SERVERS:-fleetvpn openvpn}; do
      if [ "$server" = fleetvpn ]; then ip netns exec $NS "$fv" serve --config "$work/server.conf" > "$work/server.log" 2>&1 &
      else ip netns exec $NS openvpn --config "$work/openvpn.conf" > "$work/server.log" 2>&1 & fi
      sp=$!; pids+=($sp)
      for _ in $(seq 50); do ip -n $NS -4 addr show | grep -q 'inet 10\.8\.0\.1/' && break; sleep 0.2; done
      tun=$(ip -n $NS -o -4 addr show | awk '$4 ~ /^10\.8\.0\.1\// {print $2}')
      [ -n "$tun" ] || { echo "$server: no tun with 10.8.0.1 after 10 s"; tail -5 "$work/server.log"; exit 1; }
      pps=$rate; [ "$rate" = max ] && pps=0
      # The sink lives for this run only (bounded), so its totals start at 0.
      ip netns exec $NS "$fv" bench sink --listen 10.8.0.1:$PORT --seconds $((WINDOW + 60)) > "$work/sink.json" 2> "$work/sink.log" &
      kp=$!; pids+=($kp)
      sleep 0.5
      ip netns exec $NS "$fv" swarm --remote 127.0.0.1:1194 --clients "$CLIENTS" --pki "$work/pki" --ramp 200 \
        --duration $((WINDOW + 10)) --settle 10 --traffic-target 10.8.0.1:$PORT --traffic-pps $pps --payload-bytes "$payload" \
        --json "$work/swarm.json" > "$work/swarm.out" 2> "$work/swarm.log" &
      wp=$!; pids+=($wp)
      # Every 0.5 s until the sink ends: time (ms), server/swarm/sink CPU ticks, the tun's rx packets, the namespace's
      # UDP RcvbufErrors, and the machine's busy ticks (/proc/stat, all cores).
      ( while kill -0 $kp 2>/dev/null; do
          echo "$(date +%s%3N) $(ticks $sp) $(ticks $wp) $(ticks $kp)" \
               "$(awk -v t="$tun:" '$1 == t {print $3}' /proc/$sp/net/dev)" \
               "$(awk '/^Udp:/ {n++; if (n == 1) for (i = 2; i <= NF; i++) if ($i == "RcvbufErrors") c = i; if (n == 2) print $c}' /proc/$sp/net/snmp)" \
               "$(awk '/^cpu / {print $2 + $3 + $4 + $7 + $8}' /proc/stat)"
          sleep 0.5; done ) > "$work/samples.txt" &
      sampler=$!; pids+=($sampler)
      wait $wp || true
      # Let the server drain what it still has queued: stop the sink once its total held for 2 s (10 s at most).
      for _ in $(seq 10); do
        n1=$(awk '$1 == "sink:" {n = $3} END {print n + 0}' "$work/sink.log"); sleep 2
        [ "$(awk '$1 == "sink:" {n = $3} END {print n + 0}' "$work/sink.log")" = "$n1" ] && break
      done
      kill $kp 2>/dev/null || true; wait $kp 2>/dev/null || true
      wait $sampler 2>/dev/null || true
      j="$work/swarm.json"
      start=$(sed -n 's/.*"started_unix_ms": *\([0-9]*\).*/\1/p' "$j")
      stop=$(sed -n 's/.*"stopped_unix_ms": *\([0-9]*\).*/\1/p' "$j")
      if [ -z "$start" ] || [ "${start:-0}" = 0 ]; then
        echo "$server $payload $rate: no traffic ($(grep -o '"connected": [0-9]*' "$j" 2>/dev/null || echo 'no summary'); $(tail -2 "$work/swarm.log" | tr '\n' ' '))"
        kill $sp; wait $sp 2>/dev/null || true; sleep 2
        continue
      fi
      # The window: WINDOW s from 2 s after the traffic started (steady state). Each series below has its own
      # timestamps (swarm, sink, sampler); each rate is taken between its first and last reading inside the window.
      a=$((start + 2000)); b=$((a + WINDOW * 1000))
      [ "$b" -le "$stop" ] || { echo "($server $payload $rate: traffic stopped $(( (b - stop) / 1000 )) s before the window's end)"; b=$stop; }
      rate_of() { awk -v tag="$1" -v a=$a -v b=$b '$1 != tag || $2 !~ /^[0-9]+$/ {next} $2 >= a && t0 == "" {t0 = $2; p0 = $3} $2 <= b {t1 = $2; p1 = $3}
        END {if (t0 != "" && t1 > t0) printf "%.0f", (p1 - p0) * 1000 / (t1 - t0); else print 0}' "$2"; }
      offered=$(rate_of traffic: "$work/swarm.log")
      delivered=$(rate_of sink: "$work/sink.log")
      read -r tunrx srv swm snk mach < <(awk -v a=$a -v b=$b -v hz="$hz" '
        $1 >= a && s == "" {s = 1; t0 = $1; sv0 = $2; sw0 = $3; k0 = $4; r0 = $5; bz0 = $7}
        $1 <= b {t1 = $1; sv1 = $2; sw1 = $3; k1 = $4; r1 = $5; bz1 = $7}
        END {dt = (t1 - t0) / 1000; if (s == "" || dt <= 0) {print "0 0 0 0 0"; exit}
             printf "%.0f %.0f %.0f %.0f %.0f\n", (r1 - r0) / dt, (sv1 - sv0) / hz / dt * 100, (sw1 - sw0) / hz / dt * 100,
               (k1 - k0) / hz / dt * 100, (bz1 - bz0) / hz / dt * 100}' "$work/samples.txt")
      # Whole run: socket-buffer drops from the first to the last sample (the drain included).
      drops=$(awk 'NR == 1 {d0 = $6} {d1 = $6} END {print d1 - d0}' "$work/samples.txt")
      senders=$(sed -n 's/.*"senders": *\([0-9]*\).*/\1/p' "$work/sink.json")
      received=$(sed -n 's/.*"packets": *\([0-9]*\).*/\1/p' "$work/sink.json")
      sent=$(sed -n '/"traffic"/,/}/ s/.*"sent": *\([0-9]*\).*/\1/p' "$j")
      awk -v s="$server" -v p="$payload" -v o="$offered" -v d="$delivered" -v r="$tunrx" -v c1="$srv" -v c2="$swm" -v c3="$snk" \
          -v m="$mach" -v dr="$drops" -v n="${senders:-0}/$CLIENTS" -v rate="$rate" -v sent="${sent:-0}" -v got="${received:-0}" 'BEGIN {
        printf "%-8s %7d %9.0f %10.0f %10.0f %6.1f%% %9.1f %6d%% %9.0f %6d%% %6d%% %6d%% %8.2f%% %8d %8s%s\n", s, p, o, d, r,
          (o > 0 ? (1 - d / o) * 100 : 0), d * p * 8 / 1e6, c1, (c1 > 0 ? d * 100 / c1 : 0), c2, c3, (m > c1 + c2 + c3 ? m - c1 - c2 - c3 : 0),
          (sent > 0 ? (sent - got) * 100 / sent : 0), dr, n,
          (rate == "max" ? "  (unpaced)" : "") }'
      kill $sp; wait $sp 2>/dev/null || true; sleep 2
    done
  done
done
