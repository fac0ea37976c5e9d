using System.CommandLine;

namespace FleetVpn.Cli.Commands;

/// <summary>
/// <c>fleetvpn bench</c>: measurements of this machine that size a deployment (<c>crypto</c>: data-channel
/// cipher throughput; <c>sink</c>: the receiving end of a throughput run). Exit codes: 0 done, 1 bad arguments or a failed measurement.
/// </summary>
internal static class BenchCommand
{
    public static Command Create() => new("bench",
        "Measure what this machine can do for a fleet, with FleetVPN's own code paths " +
        "(crypto: data-channel seal/open throughput per cipher and packet size; sink: count UDP datagrams that arrive, the far end of a swarm --traffic-target run). Exit codes: 0 done, 1 bad arguments or a failed measurement.")
    {
        BenchCryptoCommand.Create(),
        BenchSinkCommand.Create(),
    };
}
