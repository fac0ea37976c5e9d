#!/usr/bin/env bash
# Runs one fuzz target of tests/FleetVpn.Fuzz under AFL++ for a bounded time, starting from its seed corpus.
#
#   scripts/fuzz.sh TARGET [SECONDS]      (default 300 s; targets: scripts/fuzz.sh --list)
#
# Needs afl-fuzz (Debian: apt-get install afl++) and the SharpFuzz instrumenter
# (dotnet tool install --global SharpFuzz.CommandLine); the script installs both when missing.
# Findings land in out/fuzz/TARGET/findings/default/{crashes,hangs}; replay one (uninstrumented) with
#   dotnet run --project tests/FleetVpn.Fuzz -- TARGET FILE
# and, once fixed, add the file to tests/FleetVpn.Fuzz/Corpus/TARGET/ (it then runs in CI) with a unit test.
# Runs at nice 19 on one core.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "scripts/fuzz.sh: $*" >&2; exit 1; }
target="${1:-}"
seconds="${2:-300}"
[ -n "$target" ] || fail "usage: scripts/fuzz.sh TARGET [SECONDS]"
if [ "$target" = --list ]; then ls tests/FleetVpn.Fuzz/Corpus; exit 0; fi
[ -d "tests/FleetVpn.Fuzz/Corpus/$target" ] || fail "no target '$target' (known: $(ls tests/FleetVpn.Fuzz/Corpus | tr '\n' ' '))"
[[ "$seconds" =~ ^[0-9]+$ ]] && [ "$seconds" -gt 0 ] || fail "SECONDS must be a positive number, not '$seconds'"

if ! command -v afl-fuzz >/dev/null; then
  command -v apt-get >/dev/null || fail "afl-fuzz not found: install AFL++"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++ >/dev/null
fi
export PATH="$PATH:$HOME/.dotnet/tools"
if ! command -v sharpfuzz >/dev/null; then
  dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0 >/dev/null
fi

work="out/fuzz/$target"
app="$work/app"
rm -rf "$app"
mkdir -p "$work"
echo "== publish tests/FleetVpn.Fuzz to $app"
nice -n 19 dotnet publish tests/FleetVpn.Fuzz -c Release -o "$app" --nologo -v quiet
# Only FleetVPN's own assemblies are instrumented: coverage of the BCL would drown the signal.
for dll in FleetVpn.Protocol FleetVpn.Server; do
  sharpfuzz "$app/$dll.dll" >/dev/null
done

echo "== afl-fuzz $target for $seconds s (findings: $work/findings)"
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
# -t: a .NET start-up is slow, and a single input over 5 s counts as a hang. -V: stop after SECONDS.
status=0
nice -n 19 afl-fuzz -i "tests/FleetVpn.Fuzz/Corpus/$target" -o "$work/findings" -t 5000 -m none -V "$seconds" \
  -- dotnet "$app/FleetVpn.Fuzz.dll" "$target" >"$work/afl.log" 2>&1 || status=$?
tail -n 20 "$work/afl.log"
stats="$work/findings/default/fuzzer_stats"
[ -f "$stats" ] || fail "afl-fuzz stopped without stats (exit $status); see $work/afl.log"
grep -E '^(execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|bitmap_cvg|run_time) ' "$stats"
crashes=$(find "$work/findings/default/crashes" -type f -name 'id:*' | wc -l)
hangs=$(find "$work/findings/default/hangs" -type f -name 'id:*' | wc -l)
echo "== $target: $crashes crash(es), $hangs hang(s)"
[ "$crashes" = 0 ] && [ "$hangs" = 0 ]
