#!/usr/bin/env bash
# Runs the FleetVPN server on examples/server.conf, for a demo, inside a throw-away network
# namespace, so the demo's tunnel subnet (10.8.0.0/24) never touches this machine's own
# network:
#
#   fvdemo-srv  (fleetvpn, tun 10.8.0.1/24, veth 10.77.0.1/24)
#        |  veth pair
#   fvdemo-cli  (veth 10.77.0.2/24; run the openvpn client with examples/client.conf here)
#
# Installs what it needs with apt-get (iproute2; openvpn and ping for the client side of the
# quick start), builds the fleetvpn CLI, then runs, from the repository root:
#   fleetvpn serve --config examples/server.conf [extra arguments given to this script]
# Stop it with Ctrl-C: the namespaces are deleted on the way out.
#
# FLEETVPN_DEMO_SERVER=openvpn runs the stock openvpn server on the same file instead.
# FLEETVPN_NO_APT=1 skips apt-get.
set -euo pipefail

cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
  echo "run-example.sh: run as root (sudo): the server creates a tun device, the demo creates network namespaces" >&2
  exit 1
fi

if [ "${FLEETVPN_NO_APT:-}" != 1 ] && command -v apt-get >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends iproute2 openvpn iputils-ping >/dev/null
fi

if [ ! -e /dev/net/tun ]; then
  echo "run-example.sh: /dev/net/tun is missing (load the tun module: modprobe tun)" >&2
  exit 1
fi

server="${FLEETVPN_DEMO_SERVER:-fleetvpn}"
case "$server" in
  fleetvpn)
    if ! command -v dotnet >/dev/null || ! dotnet --version | grep -q '^10\.'; then
      echo "run-example.sh: the .NET SDK 10 is needed (dotnet --version must print 10.x)." >&2
      echo "  Under sudo, PATH may lose dotnet: try  sudo env \"PATH=\$PATH\" scripts/run-example.sh" >&2
      exit 1
    fi
    dotnet publish src/FleetVpn.Cli -c Release -o out/fleetvpn --nologo -v quiet
    dotnet_path="$(command -v dotnet)"
    run=("$dotnet_path" out/fleetvpn/fleetvpn.dll serve --config examples/server.conf "$@")
    ;;
  openvpn)
    run=("$(command -v openvpn)" --config examples/server.conf "$@")
    ;;
  *)
    echo "run-example.sh: FLEETVPN_DEMO_SERVER must be fleetvpn or openvpn, not '$server'" >&2
    exit 1
    ;;
esac

srv=fvdemo-srv
cli=fvdemo-cli
cleanup() {
  ip netns del "$srv" 2>/dev/null || true
  ip netns del "$cli" 2>/dev/null || true
}
cleanup   # left over from an earlier run that was killed
trap cleanup EXIT

ip netns add "$srv"
ip netns add "$cli"
ip -n "$srv" link set lo up
ip -n "$cli" link set lo up
# Both ends are created directly inside the namespaces: nothing appears in the host's.
ip link add fvdemo-s netns "$srv" type veth peer name fvdemo-c netns "$cli"
ip -n "$srv" addr add 10.77.0.1/24 dev fvdemo-s
ip -n "$cli" addr add 10.77.0.2/24 dev fvdemo-c
ip -n "$srv" link set fvdemo-s up
ip -n "$cli" link set fvdemo-c up

echo "demo network ready: server namespace $srv (10.77.0.1), client namespace $cli (10.77.0.2)"
echo "connect a client from another terminal, in the repository root:"
echo "  sudo ip netns exec $cli openvpn --config examples/client.conf"
echo "starting: ${run[*]}"
ip netns exec "$srv" "${run[@]}"
