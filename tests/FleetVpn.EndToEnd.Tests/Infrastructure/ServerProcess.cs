namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The server under test, running in the server namespace: <c>fleetvpn serve --config FILE</c>
/// (default) or the stock <c>openvpn --config FILE</c> (stand-in, FLEETVPN_E2E_SERVER=openvpn).
/// Its stdout and stderr are captured in <see cref="Log"/>.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    /// <summary>The line both servers print once they serve.</summary>
    public const string ReadyLine = "Initialization Sequence Completed";

    private ServerProcess(ServerKind kind, RunningProcess process, string? statusPath)
    {
        Kind = kind;
        Process = process;
        StatusPath = statusPath;
    }

    public ServerKind Kind { get; }

    /// <summary>The file its config names in <c>status FILE N</c>, when the caller said so.</summary>
    public string? StatusPath { get; }

    public RunningProcess Process { get; }

    public LogCapture Log => Process.Log;

    public bool HasExited => Process.HasExited;

    /// <summary>
    /// <c>ip</c>'s arguments that run <c>fleetvpn ARGS</c> (the CLI under test: a .dll under the dotnet host, or an
    /// executable) in namespace <paramref name="ns"/>; <c>ip netns exec</c> execs it in place, so its PID is the server's.
    /// </summary>
    public static List<string> FleetVpnInNamespace(string ns, params string[] args)
    {
        var argv = new List<string> { "netns", "exec", ns };
        var cli = E2ESettings.FleetVpnCliPath;
        if (cli.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            argv.AddRange([Tools.FindDotnet() ?? throw new InvalidOperationException("dotnet host not found"), cli]);
        else
            argv.Add(cli);
        argv.AddRange(args);
        return argv;
    }

    /// <summary>Starts the server in <paramref name="ns"/> and waits for <see cref="ReadyLine"/>.</summary>
    /// <param name="environment">Variables added to the server's environment (e.g. NOTIFY_SOCKET), or null.</param>
    public static async Task<ServerProcess> StartAsync(ServerKind kind, string ns, string configPath, string workingDirectory,
        ITestOutputHelper? output, TimeSpan readyTimeout, string? statusPath = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        List<string> argv;
        switch (kind)
        {
            case ServerKind.FleetVpn:
                argv = FleetVpnInNamespace(ns, "serve", "--config", configPath);
                break;
            case ServerKind.OpenVpn:
                argv = ["netns", "exec", ns, Tools.Resolve("openvpn"), "--config", configPath];
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }

        // `ip netns exec` execs the command in place, so the PID we hold is the server's own.
        var process = RunningProcess.Start($"server ({kind})", Tools.Resolve("ip"), argv, workingDirectory, output, environment);
        var server = new ServerProcess(kind, process, statusPath);
        var ready = await process.WaitForTextAsync(ReadyLine, readyTimeout);
        if (ready is null)
        {
            var why = process.HasExited ? "exited before it was ready" : $"was not ready within {readyTimeout.TotalSeconds:0} s";
            var description = process.Describe(100);
            await server.DisposeAsync();
            throw new InvalidOperationException($"The server {why} (no \"{ReadyLine}\" line).\n{description}");
        }
        return server;
    }

    /// <summary>Stops the server by its PID (SIGTERM, then SIGKILL after <paramref name="grace"/>).</summary>
    public Task StopAsync(TimeSpan grace) => Process.StopAsync(grace);

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
