namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>Runs <c>fleetvpn bench ...</c> (the CLI under test, <see cref="E2ESettings.FleetVpnCliPath"/>) to completion, with a time limit.</summary>
public static class BenchCli
{
    /// <summary>Generous: a debug build on a busy 2-core machine, with the JIT's start-up.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    /// <summary>Runs <c>fleetvpn bench ARGS</c> and returns what it printed and its exit code.</summary>
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
        argv.Add("bench");
        argv.AddRange(args);
        return Commands.RunAsync(file, argv, Timeout);
    }
}
