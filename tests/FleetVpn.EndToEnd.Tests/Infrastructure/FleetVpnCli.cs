namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>Runs the CLI under test (<see cref="E2ESettings.FleetVpnCliPath"/>: an executable, or a .dll run by the dotnet host) to completion.</summary>
public static class FleetVpnCli
{
    /// <summary>Generous: a debug build on a busy 2-core machine, with the JIT's start-up.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    /// <summary>Runs <c>fleetvpn ARGS</c> and returns what it printed and its exit code.</summary>
    public static Task<CommandResult> RunAsync(IEnumerable<string> args)
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
        argv.AddRange(args);
        return Commands.RunAsync(file, argv, Timeout);
    }
}
