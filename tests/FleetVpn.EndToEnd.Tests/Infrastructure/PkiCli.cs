namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>Runs <c>fleetvpn pki ...</c> (the CLI under test, <see cref="E2ESettings.FleetVpnCliPath"/>) to completion, with a time limit.</summary>
public static class PkiCli
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    /// <summary>Runs <c>fleetvpn pki ARGS</c> and returns what it printed and its exit code.</summary>
    public static Task<CommandResult> RunAsync(params string[] args)
    {
        var cli = E2ESettings.FleetVpnCliPath;
        var argv = new List<string>();
        string file;
        if (cli.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            file = Tools.FindDotnet() ?? throw new InvalidOperationException("dotnet host not found");
            argv.Add(cli);
        }
        else
        {
            file = cli;
        }
        argv.Add("pki");
        argv.AddRange(args);
        return Commands.RunAsync(file, argv, Timeout);
    }

    /// <summary>Like <see cref="RunAsync"/>, but fails the test with the command's output when it does not exit 0.</summary>
    public static async Task<CommandResult> RunCheckedAsync(params string[] args)
    {
        var result = await RunAsync(args);
        if (!result.Succeeded) throw new Xunit.Sdk.XunitException("fleetvpn pki failed:\n" + result);
        return result;
    }
}
