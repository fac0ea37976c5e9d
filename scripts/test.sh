#!/usr/bin/env bash
# Runs FleetVPN's whole test suite (`dotnet test FleetVpn.slnx`), after installing what the
# end-to-end tests need. Run as root: the end-to-end tests create network namespaces and tun
# devices (and delete them again). CI runs this same script through .ci/run.
#
#   sudo scripts/test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~EndToEnd]
#
# Environment:
#   FLEETVPN_NO_APT=1            skip apt-get (the packages are already there)
#   FLEETVPN_E2E_SERVER=openvpn  run the end-to-end tests against the stock openvpn server
#                                (checks the test harness itself); default: fleetvpn
set -euo pipefail

cd "$(dirname "$0")/.."

fail() { echo "scripts/test.sh: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || fail "run as root (sudo): the end-to-end tests create network namespaces and tun devices"

# What the end-to-end tests run: ip (iproute2), the real openvpn 2.6 client (and server, for
# FLEETVPN_E2E_SERVER=openvpn), ping (iputils-ping), chromium (the dashboard test, headless), nft (nftables) and
# bird (bird2) for the multi-node tests (the load balancer and the routes back).
packages=(iproute2 openvpn iputils-ping ca-certificates chromium nftables bird2)
if [ "${FLEETVPN_NO_APT:-}" != 1 ]; then
  command -v apt-get >/dev/null || fail "apt-get not found: install ${packages[*]} yourself and set FLEETVPN_NO_APT=1"
  echo "== apt-get install ${packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

echo "== checking tools"
command -v dotnet >/dev/null || fail "the .NET SDK 10 is missing: 'dotnet' is not on PATH (under sudo, try: sudo env \"PATH=\$PATH\" scripts/test.sh)"
sdk="$(dotnet --version)" || fail "'dotnet --version' failed: is the .NET SDK 10 installed (not only the runtime)?"
case "$sdk" in
  10.*) echo ".NET SDK $sdk" ;;
  *) fail "the .NET SDK 10 is needed, 'dotnet --version' says $sdk" ;;
esac
[ -e /dev/net/tun ] || fail "/dev/net/tun is missing (load the tun module: modprobe tun)"
ip -V
openvpn --version | head -n 1 || true

# `dotnet test` builds only the test projects and what they reference: build everything first, so that a
# break in a project no test references (bench/FleetVpn.Benchmarks) fails the run too.
echo "== dotnet build FleetVpn.slnx"
dotnet build FleetVpn.slnx --nologo -v quiet

echo "== dotnet test FleetVpn.slnx"
# The whole log goes to the terminal and to a file; when a test fails, its name and error message are
# repeated at the very end, so that the last screen of a long run (or of CI) says what failed.
log="$(mktemp /tmp/fleetvpn-test.XXXXXX.log)"
status=0
dotnet test FleetVpn.slnx --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log" || status=$?
if [ "$status" != 0 ]; then
  echo
  echo "== failed tests (error messages; the full log is $log)"
  # From each "Failed <test>" line to its stack trace, at most 25 lines per test.
  awk '/^[[:space:]]+Failed [A-Za-z]/ { n = 25 } /^[[:space:]]+Stack Trace:/ { n = 0 } n > 0 { print; n-- }' "$log"
fi
exit "$status"
