using System.CommandLine;
using System.Runtime.InteropServices;
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

        var log = new ServerLog(options.Verb, options.Mute);
        using var signals = new ServeSignals();
        await using var onCancel = cancellation.Register(() => signals.Post(PosixSignal.SIGTERM));
        var loop = new ServeLoop(log, () => ServerConfigParser.ParseFile(configPath, overrides, workingDirectory), signals);
        return await loop.RunAsync(options);
    }
}
