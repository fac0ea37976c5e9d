using System.CommandLine;
using System.Runtime.InteropServices;
using FleetVpn.Platform.Hosting;
using FleetVpn.Server;
using FleetVpn.Server.Config;
using FleetVpn.Server.Logging;

namespace FleetVpn.Cli.Commands;

/// <summary>
/// <c>fleetvpn serve --config FILE [--cd DIR] [--directive args...]</c>: reads an OpenVPN server.conf
/// (plus OpenVPN-style overrides), then runs the server until SIGINT or SIGTERM. SIGHUP re-reads the
/// config (same file, same overrides) and puts it in force without dropping clients, SIGUSR1 restarts the server
/// with the config last read (<see cref="ServeLoop"/>). Exit codes: 0 clean shutdown, 1 configuration error, 2 fatal error while serving.
/// </summary>
/// <remarks>
/// Process directives, in OpenVPN's order: the configuration is read (relative paths against `--cd`, then each `cd`),
/// `daemon` detaches (<see cref="ServeDaemon"/>), the process directory becomes the `cd` directory (or "/" for a
/// daemon without one, as daemon(3) does), the log opens (`log`/`log-append` file, else syslog with `daemon` or
/// `syslog`, else standard output), `writepid` writes the PID (deleted again at exit). Under systemd, readiness
/// and shutdown are reported through NOTIFY_SOCKET (<see cref="ServeReadiness"/>).
/// </remarks>
internal static class ServeCommand
{
    public const int ExitOk = 0;
    public const int ExitConfigError = 1;
    public const int ExitFatal = 2;

    public static Command Create()
    {
        var config = new Option<string>("--config")
        {
            Description = "The OpenVPN server.conf to serve (relative to --cd when given).",
            HelpName = "FILE",
            Required = true,
        };
        var workingDirectory = new Option<string?>("--cd")
        {
            Description = "Directory that the config file and the relative paths inside it resolve against, as OpenVPN's --cd.",
            HelpName = "DIR",
        };

        var command = new Command("serve",
            "Run the VPN server from an OpenVPN server.conf.\n" +
            "OpenVPN-style options given after the config override it, as if they were extra lines at the end of the file, " +
            "e.g. 'fleetvpn serve --config server.conf --port 1195 --verb 4'. " +
            "SIGHUP re-reads the config (certificates, CRL, client-config-dir, scripts, ...) without dropping clients, " +
            "SIGUSR1 restarts the server with the config last read (clients reconnect; with persist-tun the tun device stays as it is). " +
            "Exit codes: 0 after SIGINT/SIGTERM, 1 for a configuration error, 2 for a fatal error.")
        {
            config,
            workingDirectory,
        };

        // Options this command does not know are OpenVPN directives for the parser, not errors.
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parseResult, cancellation) => RunAsync(
            parseResult.GetRequiredValue(config),
            parseResult.GetValue(workingDirectory),
            parseResult.UnmatchedTokens,
            cancellation));
        return command;
    }

    private static async Task<int> RunAsync(string configPath, string? workingDirectory, IReadOnlyList<string> overrides, CancellationToken cancellation)
    {
        // Later parses (SIGHUP) must find the same files after `cd` or `daemon` moved the process directory.
        var startDirectory = Path.GetFullPath(workingDirectory ?? ".");
        var fullConfigPath = Path.GetFullPath(configPath, startDirectory);
        ServerOptions options;
        try
        {
            options = ServerConfigParser.ParseFile(configPath, overrides, workingDirectory);
        }
        catch (ConfigException error)
        {
            await Console.Error.WriteLineAsync(error.Message);
            return ExitConfigError;
        }

        var process = options.Process;
        if (process.Daemon && !ServeDaemon.IsDetachedCopy) return await ServeDaemon.StartDetachedAsync(cancellation);
        if (ServeDaemon.IsDetachedCopy) TerminalDetachment.StartSession();

        // OpenVPN's `cd` changes the process directory; daemon(3) without it goes to "/".
        var directory = process.Directory ?? (workingDirectory is null ? null : startDirectory);
        if (directory is not null) Directory.SetCurrentDirectory(directory);
        else if (ServeDaemon.IsDetachedCopy) Directory.SetCurrentDirectory("/");

        ServerLog log;
        try
        {
            log = OpenLog(options);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"fatal: log file {process.LogFile}: {e.Message}");
            return ExitConfigError;
        }

        using (log)
        {
            if (process.PidFile is { } pidFile && !TryWritePidFile(pidFile, log)) return ExitConfigError;
            try
            {
                using var signals = new ServeSignals();
                await using var onCancel = cancellation.Register(() => signals.Post(PosixSignal.SIGTERM));
                var parent = ServeDaemon.ParentReadySocket is { } parentSocket ? new SystemdNotifier(parentSocket) : null;
                await using var readiness = new ServeReadiness(SystemdNotifier.FromEnvironment(), parent, log);
                var loop = new ServeLoop(log, () => ServerConfigParser.ParseFile(fullConfigPath, overrides, startDirectory), signals, readiness);
                return await loop.RunAsync(options);
            }
            finally
            {
                if (process.PidFile is { } written) TryDelete(written);
            }
        }
    }

    /// <summary>The log the configuration asks for: a `log`/`log-append` file, syslog (`daemon`, `syslog`), or standard output.</summary>
    private static ServerLog OpenLog(ServerOptions options)
    {
        var process = options.Process;
        switch (process.LogDestination)
        {
            case LogDestination.File:
                return new ServerLog(options.Verb, options.Mute, TextLogSink.OpenFile(process.LogFile!, process.LogAppend));
            case LogDestination.Syslog:
                var sink = new SyslogSink(process.SyslogTag);
                if (!SyslogSink.IsReachable(SyslogSink.DefaultSocketPath, out var reason))
                    Console.Error.WriteLine($"WARNING: syslog socket {SyslogSink.DefaultSocketPath}: {reason}; log lines are dropped (and counted) until it is there, or use 'log FILE'");
                return new ServerLog(options.Verb, options.Mute, sink);
            default:
                return new ServerLog(options.Verb, options.Mute);
        }
    }

    /// <summary>`writepid FILE`: the process's PID and a newline, as OpenVPN writes it.</summary>
    private static bool TryWritePidFile(string path, ServerLog log)
    {
        try
        {
            File.WriteAllText(path, $"{Environment.ProcessId}\n");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.Fatal($"fatal: writepid {path}: {e.Message}");
            Console.Error.WriteLine($"fatal: writepid {path}: {e.Message}");
            return false;
        }
    }

    /// <summary>The pid file goes with the process (after `user` it may not be ours to delete: then it stays).</summary>
    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
