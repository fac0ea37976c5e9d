# Shared parts of the fleet benchmarks (bench/swarm-fleet.sh, bench/scale.sh, bench/storm.sh). Sourced, not run.
#
# fleet_init NS makes a work directory (a throw-away PKI: CA, server, 5 client certificates), publishes the
# Release build to out/fleetvpn and makes the network namespace NS (loopback only); everything runs in it.
# On exit, Ctrl-C (INT), TERM or HUP the cleanup stops every process the script started (TERM, then KILL after
# 10 s), then any process still left in NS (only the script's own run there), deletes NS and the work directory.
# Every server and swarm runs under `timeout`, so that it ends by itself even if the script is killed with -9.
# Depends only on `fleetvpn serve --config`, `fleetvpn swarm` and the "Initialization Sequence Completed" line.

FLEET_PIDS=()
FV=out/fleetvpn/fleetvpn

fleet_init() { # NS
  FLEET_NS=$1
  [ "$(id -u)" = 0 ] || { echo "needs root (network namespace): sudo $0" >&2; exit 2; }
  command -v openvpn >/dev/null || [ "${SERVERS:-}" = fleetvpn ] || { echo "openvpn not installed (SERVERS=fleetvpn to run FleetVPN only)" >&2; exit 2; }
  FLEET_WORK=$(mktemp -d /tmp/fleet-bench.XXXXXX)
  trap fleet_cleanup EXIT
  trap 'echo "interrupted" >&2; exit 130' INT
  trap 'exit 143' TERM
  trap 'exit 129' HUP
  ip netns del "$FLEET_NS" 2>/dev/null || true
  dotnet publish src/FleetVpn.Cli -c Release -o out/fleetvpn --nologo -v quiet >/dev/null
  "$FV" pki init "$FLEET_WORK/pki" >/dev/null
  "$FV" pki server "$FLEET_WORK/pki" --cn server >/dev/null
  "$FV" pki clients "$FLEET_WORK/pki" --count 5 >/dev/null 2>&1
  ip netns add "$FLEET_NS"
  ip -n "$FLEET_NS" link set lo up
  ulimit -n 1048576 2>/dev/null || ulimit -n "$(ulimit -Hn)"
  FLEET_HZ=$(getconf CLK_TCK)
}

fleet_cleanup() {
  local rc=$? p i alive
  trap - EXIT INT TERM HUP
  if declare -F fleet_on_exit >/dev/null; then fleet_on_exit "$rc" || true; fi
  for p in "${FLEET_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for i in $(seq 1 50); do
    alive=0; for p in "${FLEET_PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break; sleep 0.2
  done
  for p in "${FLEET_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  # Whatever still runs in the namespace was started by this script (the namespace is its own).
  for p in $(ip netns pids "$FLEET_NS" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
  sleep 0.5
  ip netns del "$FLEET_NS" 2>/dev/null || true
  rm -rf "$FLEET_WORK"
  exit "$rc"
}

fleet_forget() { # PID...: ended and waited for; the cleanup must not signal the number again (it may be reused)
  local p q keep=()
  for p in "${FLEET_PIDS[@]}"; do for q in "$@"; do [ "$p" = "$q" ] && continue 2; done; keep+=("$p"); done
  FLEET_PIDS=("${keep[@]}")
}

fleet_machine() { # one line: cores, memory, openvpn and fleetvpn versions
  echo "$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(openvpn --version 2>/dev/null | head -1 | cut -d' ' -f1-2), fleetvpn $("$FV" --version)"
}

# connect-freq-initial is raised for both servers: its default (100 unanswered resets per 10 s, openvpn 2.6's and
# FleetVPN's) is a guard against reflection that would otherwise set the ramp of every fleet run; an operator of a
# large fleet raises it the same way. (Runs before 2026-11-29 11:15 UTC left openvpn at that default.)
fleet_server_conf() { # N "keepalive args" -> $FLEET_WORK/server.conf (a /16 pool up to 65,000 clients, then a /12)
  local n=$1 keepalive=$2 pool
  if [ "$n" -le 65000 ]; then pool="10.8.0.0 255.255.0.0"; else pool="10.0.0.0 255.240.0.0"; fi
  cat > "$FLEET_WORK/server.conf" <<CONF
proto udp
local 127.0.0.1
port 1194
dev tun
topology subnet
server $pool
keepalive $keepalive
ca $FLEET_WORK/pki/ca.crt
cert $FLEET_WORK/pki/issued/server.crt
key $FLEET_WORK/pki/private/server.key
dh none
remote-cert-tls client
duplicate-cn
max-clients $((n + 100))
connect-freq-initial 100000 10
verb 3
CONF
}

# Process tree of a server: the process and its direct children (a server that forks workers is counted whole).
fleet_tree() { echo "$1"; cat /proc/"$1"/task/*/children 2>/dev/null; }
fleet_rss() { # kB, whole tree
  local s=0 p v
  for p in $(fleet_tree "$1"); do v=$(awk '/VmRSS/ {print $2}' /proc/"$p"/status 2>/dev/null); s=$((s + ${v:-0})); done
  echo $s
}
fleet_cpu() { # user + system clock ticks so far, whole tree
  local s=0 p v
  for p in $(fleet_tree "$1"); do v=$(awk '{print $14 + $15}' /proc/"$p"/stat 2>/dev/null); s=$((s + ${v:-0})); done
  echo $s
}

# fleet_start_server fleetvpn|openvpn BOUND_S LOG: starts the server on $FLEET_WORK/server.conf (ended by timeout after
# BOUND_S) and waits (60 s at most) for "Initialization Sequence Completed". Sets SERVER_PID (the server itself) and
# SERVER_TPID (its timeout), writes SERVER_PID to $FLEET_WORK/server.pid. Returns 1 if the server did not come up.
fleet_start_server() {
  local server=$1 bound=$2 log=$3 i
  local cmd=("$FV" serve --config "$FLEET_WORK/server.conf")
  [ "$server" = openvpn ] && cmd=(openvpn --config "$FLEET_WORK/server.conf")
  ip netns exec "$FLEET_NS" timeout -k 10 "$bound" "${cmd[@]}" > "$log" 2>&1 < /dev/null &
  SERVER_TPID=$!; FLEET_PIDS+=("$SERVER_TPID")
  SERVER_PID=""
  for i in $(seq 1 100); do
    SERVER_PID=$(cat /proc/"$SERVER_TPID"/task/*/children 2>/dev/null | awk '{print $1; exit}')
    [ -n "$SERVER_PID" ] && break; sleep 0.05
  done
  [ -n "$SERVER_PID" ] || { echo "$server did not start" >&2; return 1; }
  FLEET_PIDS+=("$SERVER_PID")
  echo "$SERVER_PID" > "$FLEET_WORK/server.pid"
  for i in $(seq 1 600); do
    grep -q "Initialization Sequence Completed" "$log" 2>/dev/null && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "$server did not come up: $(tail -3 "$log" | tr '\n' ' ')" >&2
  return 1
}

fleet_stop_server() { # TERM, KILL after 15 s
  local i
  kill "$SERVER_PID" 2>/dev/null || true
  for i in $(seq 1 150); do kill -0 "$SERVER_TPID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_TPID" 2>/dev/null || true
  fleet_forget "$SERVER_PID" "$SERVER_TPID"
}

fleet_kill_server() { # SIGKILL, no warning to anyone (the storm)
  kill -KILL "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_TPID" 2>/dev/null || true
  fleet_forget "$SERVER_PID" "$SERVER_TPID"
}

# fleet_swarm_start N RAMP DURATION SETTLE JSON LOG: the swarm in the namespace, in the background (SWARM_TPID: its
# timeout process, which passes TERM on to it). Progress lines go to LOG every second.
fleet_swarm_start() {
  local n=$1 ramp=$2 duration=$3 settle=$4 json=$5 log=$6
  ip netns exec "$FLEET_NS" timeout -k 30 $((duration + settle + 300)) "$FV" swarm --remote 127.0.0.1:1194 --clients "$n" \
    --pki "$FLEET_WORK/pki" --ramp "$ramp" --duration "$duration" --settle "$settle" --json "$json" > "$log" 2>&1 < /dev/null &
  SWARM_TPID=$!; FLEET_PIDS+=("$SWARM_TPID")
}

fleet_swarm_wait() { # waits for the swarm's own end (bounded by its timeout); SWARM_RC: its exit status
  SWARM_RC=0; wait "$SWARM_TPID" || SWARM_RC=$?
  fleet_forget "$SWARM_TPID"
}

fleet_swarm_stop() { # TERM: the swarm stops its run, measures itself, sends its exit notifications and writes its JSON (5 min at most)
  local i
  kill "$SWARM_TPID" 2>/dev/null || true
  for i in $(seq 1 600); do kill -0 "$SWARM_TPID" 2>/dev/null || break; sleep 0.5; done
  kill -KILL "$SWARM_TPID" 2>/dev/null || true
  fleet_swarm_wait
}

# The swarm's last progress line ("[  12.0s] started 20/20 connected 20 handshakes/s ... failures ping-restart=3"):
# prints "ELAPSED_S CONNECTED PING_RESTARTS", or "-1 -1 0" before the first line.
fleet_progress() { # LOG
  grep '^\[ *[0-9.]*s\] started' "$1" 2>/dev/null | tail -1 | awk '
    { el = $0; sub(/^\[ */, "", el); sub(/s\].*/, "", el); c = -1; pr = 0
      for (i = 1; i < NF; i++) if ($i == "connected") c = $(i + 1)
      if (match($0, /ping-restart=[0-9]+/)) pr = substr($0, RSTART + 13, RLENGTH - 13) }
    END { if (el == "") print "-1 -1 0"; else print el, c, pr }'
}

# fleet_sampler_start OUT SWARM_LOG BOUND_S: each second "EPOCH PID RSS_KB CPU_TICKS ELAPSED CONNECTED PING_RESTARTS"
# of the server named in $FLEET_WORK/server.pid (it may change: a restart) and the swarm's last progress line.
fleet_sampler_start() {
  local out=$1 swarmlog=$2 bound=$3
  ( end=$((SECONDS + bound))
    while [ $SECONDS -lt "$end" ]; do
      sp=$(cat "$FLEET_WORK/server.pid" 2>/dev/null)
      echo "$(date +%s) ${sp:-0} $(fleet_rss "${sp:-0}") $(fleet_cpu "${sp:-0}") $(fleet_progress "$swarmlog")"
      sleep 1
    done ) > "$out" &
  SAMPLER_PID=$!; FLEET_PIDS+=("$SAMPLER_PID")
}

fleet_sampler_stop() { kill "$SAMPLER_PID" 2>/dev/null || true; wait "$SAMPLER_PID" 2>/dev/null || true; fleet_forget "$SAMPLER_PID"; }

# A number from the swarm's JSON summary (top-level field).
fleet_field() { jq -r ".$2 // empty" "$1" 2>/dev/null; }
# The failure counts of the swarm's JSON as "reason=n reason=n", or "none".
fleet_failures() { jq -r '.failures | to_entries | map("\(.key)=\(.value)") | join(" ") | if . == "" then "none" else . end' "$1" 2>/dev/null || echo "n/a"; }

# The exact command line, with the environment settings the script reads.
_fleet_q() { case $1 in ''|*[!A-Za-z0-9_./=:,+-]*) printf "'%s'" "${1//\'/\'\\\'\'}";; *) printf '%s' "$1";; esac; }
fleet_command() { # VAR... then -- then "$0" "$@"
  local s="" v a
  while [ "$1" != -- ]; do v=$1; shift; [ -n "${!v+x}" ] && s+="$v=$(_fleet_q "${!v}") "; done
  shift; for a in "$@"; do s+="$(_fleet_q "$a") "; done; echo "${s% }"
}

# fleet_diag_at EPOCH PID DIR: in the background, at EPOCH, the server's memory map into DIR (smaps; pmap -x sorted
# by RSS; smaps_rollup) and then, if dotnet-gcdump is on PATH or in ~/.dotnet/tools, its heap report by type.
# (Not gdb: attaching it to the server aborted the runtime.)
fleet_diag_at() {
  local at=$1 pid=$2 dir=$3 gcdump
  mkdir -p "$dir"
  gcdump=$(command -v dotnet-gcdump || ls "$HOME/.dotnet/tools/dotnet-gcdump" 2>/dev/null || true)
  ( while [ "$(date +%s)" -lt "$at" ]; do sleep 1; done
    cp /proc/"$pid"/smaps "$dir/smaps.txt" 2>/dev/null
    cp /proc/"$pid"/smaps_rollup "$dir/smaps_rollup.txt" 2>/dev/null
    pmap -x "$pid" 2>/dev/null | sort -k3 -n -r | head -60 > "$dir/pmap.txt"
    if [ -n "$gcdump" ]; then
      "$gcdump" collect -p "$pid" -o "$dir/heap.gcdump" > "$dir/gcdump.log" 2>&1 &&
        "$gcdump" report "$dir/heap.gcdump" > "$dir/heap-by-type.txt" 2>&1
    fi ) &
  FLEET_PIDS+=("$!")
}
