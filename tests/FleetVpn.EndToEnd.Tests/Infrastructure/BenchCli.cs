namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>Runs <c>fleetvpn bench ...</c> to completion, with a time limit.</summary>
public static class BenchCli
{
    /// <summary>Runs <c>fleetvpn bench ARGS</c> and returns what it printed and its exit code.</summary>
    public static Task<CommandResult> RunAsync(params string[] args) => FleetVpnCli.RunAsync(["bench", .. args]);
}
