namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>Runs <c>fleetvpn pki ...</c> to completion, with a time limit.</summary>
public static class PkiCli
{
    /// <summary>Runs <c>fleetvpn pki ARGS</c> and returns what it printed and its exit code.</summary>
    public static Task<CommandResult> RunAsync(params string[] args) => FleetVpnCli.RunAsync(["pki", .. args]);

    /// <summary>Like <see cref="RunAsync"/>, but fails the test with the command's output when it does not exit 0.</summary>
    public static async Task<CommandResult> RunCheckedAsync(params string[] args)
    {
        var result = await RunAsync(args);
        if (!result.Succeeded) throw new Xunit.Sdk.XunitException("fleetvpn pki failed:\n" + result);
        return result;
    }
}
