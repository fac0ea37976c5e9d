using System.Runtime.InteropServices;
using FleetVpn.Platform.Privileges;
using FleetVpn.Platform.Tun;
using FleetVpn.Server;
using FleetVpn.Server.Config;
using FleetVpn.Server.Logging;
using FleetVpn.Server.Management;

namespace FleetVpn.Cli.Commands;

/// <summary>
/// Runs the server until SIGTERM/SIGINT. SIGHUP re-reads the configuration and puts it in force without a restart
/// (<see cref="VpnServer.Reload"/>: clients stay connected, new handshakes use the new certificate, CRL, ccd and
/// scripts; unlike OpenVPN's hard restart). SIGUSR1 restarts (soft restart) with the configuration last read: the
/// running server ends (every client is dropped, and told RESTART with `explicit-exit-notify`) and a new one starts;
/// with `persist-tun` the tun device stays open and configured from one to the next.
/// </summary>
/// <remarks>
/// A SIGHUP whose configuration does not parse changes nothing (the error names file, line and directive). A restart
/// that could not come up is refused before the running server is touched: once `user`/`group` dropped root, any
/// restart that would need root again (a new tun device, changed tun settings, a port below the unprivileged range).
/// The server then keeps running as it was and the log says why.
/// </remarks>
internal sealed class ServeLoop
{
    private readonly ServerLog _log;
    private readonly Func<ServerOptions> _reload;
    private readonly ServeSignals _signals;
    private readonly ServeReadiness _readiness;

    /// <param name="log">The log of every run (its verb and mute follow each new configuration).</param>
    /// <param name="reload">Parses the configuration again (same file, same overrides); throws <see cref="ConfigException"/>.</param>
    /// <param name="signals">Where the signals come from.</param>
    /// <param name="readiness">Who hears when a run is up, a restart begins, the process stops (systemd, a daemon's parent).</param>
    public ServeLoop(ServerLog log, Func<ServerOptions> reload, ServeSignals signals, ServeReadiness readiness)
    {
        _log = log;
        _reload = reload;
        _signals = signals;
        _readiness = readiness;
    }

    /// <summary>The management interface: one for the process, kept across restarts as OpenVPN keeps its own.</summary>
    private ManagementServer? _management;

    /// <summary>Serves <paramref name="options"/> and its successors; returns the process exit code.</summary>
    public async Task<int> RunAsync(ServerOptions options)
    {
        try
        {
            return await ServeAsync(options).ConfigureAwait(false);
        }
        finally
        {
            if (_management is not null) await _management.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<int> ServeAsync(ServerOptions options)
    {
        TunDevice? keptTun = null;
        bool first = true;
        while (true)
        {
            if (!await OpenManagementAsync(options.Management, first).ConfigureAwait(false)) return ServeCommand.ExitFatal;
            first = false;
            var server = new VpnServer(options, _log, keptTun, _management);
            _lastRead = null;
            using var stop = new CancellationTokenSource();
            var run = server.RunAsync(stop.Token);
            _ = ReportStartAsync(server, run);

            ServerOptions? next = null;
            while (next is null)
            {
                var signal = _signals.NextAsync();
                if (await Task.WhenAny(run, signal).ConfigureAwait(false) == run)
                    return await EndedByItselfAsync(server, run).ConfigureAwait(false);

                var received = _signals.Take();
                string name = ServeSignals.Name(received);
                if (ServeSignals.IsShutdown(received))
                {
                    _log.Info($"{name}[hard,] received, process exiting");
                    _readiness.Stopping();
                    return await StopAsync(server, stop, run).ConfigureAwait(false);
                }
                _readiness.Restarting();
                if (received == PosixSignal.SIGHUP && server.IsServing && TryReload(server, name))
                {
                    // A live reload: the same run goes on (systemd hears READY=1 again).
                    _readiness.Reloaded(server);
                    continue;
                }
                next = PrepareRestart(received, options);
                if (next is null) _readiness.RestartRefused(server);
            }

            // Bring the running server down; its tun stays open when persist-tun kept it.
            stop.Cancel();
            if (await WaitAsync(run).ConfigureAwait(false) is { } error) return Fatal(server.Tun, error);
            keptTun = server.Tun;
            if (keptTun is not null && !options.PersistTun)
            {
                // kept by an earlier run's persist-tun, which the re-read configuration dropped
                keptTun.Dispose();
                keptTun = null;
            }
            if (keptTun is not null && !SameTunSettings(options, next))
            {
                _log.Info($"the new configuration changes the tun device settings: closing {keptTun.Name} to open it again");
                keptTun.Dispose();
                keptTun = null;
            }
            options = next;
            _log.Verb = options.Verb;
            _log.Mute = options.Mute;

            if (_signals.ShutdownPending())
            {
                _log.Info("shutdown requested during the restart, process exiting");
                _readiness.Stopping();
                keptTun?.Dispose();
                return ServeCommand.ExitOk;
            }
        }
    }

    /// <summary>Tells <see cref="_readiness"/> once <paramref name="server"/> serves (not when the run fails first).</summary>
    private async Task ReportStartAsync(VpnServer server, Task run)
    {
        if (await Task.WhenAny(server.Started, run).ConfigureAwait(false) == server.Started) _readiness.Started(server);
    }

    /// <summary>
    /// Opens the management listener the configuration names, when it is not the one already open. At start-up a
    /// listener that cannot be opened is fatal (OpenVPN exits too); on a restart the server goes on without it.
    /// </summary>
    private async Task<bool> OpenManagementAsync(ManagementEndpoint? wanted, bool startUp)
    {
        if (_management is not null && _management.Endpoint == wanted) return true;
        if (_management is not null)
        {
            await _management.DisposeAsync().ConfigureAwait(false);
            _management = null;
        }
        if (wanted is null) return true;
        try
        {
            _management = ManagementServer.Start(wanted, _log, _signals.Post);
            return true;
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or UnauthorizedAccessException)
        {
            if (startUp)
            {
                _log.Fatal($"fatal: management {wanted}: {e.Message}");
                Console.Error.WriteLine($"fatal: management {wanted}: {e.Message}");
            }
            else _log.Info($"MANAGEMENT: cannot listen on {wanted}: {e.Message}; going on without the management interface");
            return !startUp;
        }
    }

    /// <summary>
    /// SIGHUP on a serving run: re-reads the configuration and puts it in force live. True when handled (reloaded, or
    /// refused because the configuration does not load: the running one stays); false when the run stopped serving
    /// meanwhile, and the SIGHUP restarts it. (On a run not serving yet the SIGHUP restarts it, as before.) The configuration read is kept for a later SIGUSR1 to restart with.
    /// </summary>
    private bool TryReload(VpnServer server, string name)
    {
        _log.Info($"{name}[hard,] received, re-reading the configuration (clients stay connected)");
        ServerOptions reloaded;
        try
        {
            reloaded = _reload();
        }
        catch (Exception error)
        {
            var message = error is ConfigException ? error.Message : $"{error.GetType().Name}: {error.Message}";
            _log.Info($"{name}: configuration error, the server keeps running with the configuration it has: {message}");
            return true;
        }
        try
        {
            if (server.Reload(reloaded) is null) return false;
        }
        catch (Exception error) when (error is System.Security.Cryptography.CryptographicException or ArgumentException or PlatformNotSupportedException or InvalidOperationException)
        {
            _log.Info($"{name}: the new TLS settings cannot be used, the server keeps running with the configuration it has: {error.Message}");
            return true;
        }
        _lastRead = reloaded;
        _log.Verb = reloaded.Verb;
        _log.Mute = reloaded.Mute;
        return true;
    }

    /// <summary>The configuration the last live reload read (null: none since the run started): what SIGUSR1 restarts with.</summary>
    private ServerOptions? _lastRead;

    /// <summary>The options for the next run, or null (logged) when the restart is refused.</summary>
    private ServerOptions? PrepareRestart(PosixSignal signal, ServerOptions current)
    {
        string name = ServeSignals.Name(signal);
        ServerOptions next;
        if (signal == PosixSignal.SIGHUP)
        {
            _log.Info($"{name}[hard,] received, re-reading the configuration");
            try
            {
                next = _reload();
            }
            catch (Exception error)
            {
                var message = error is ConfigException ? error.Message : $"{error.GetType().Name}: {error.Message}";
                _log.Info($"{name}: configuration error, the server keeps running with the configuration it has: {message}");
                return null;
            }
        }
        else
        {
            _log.Info($"{name}[soft,] received, restarting with {(_lastRead is null ? "the same configuration" : "the configuration the last SIGHUP read")}");
            next = _lastRead ?? current;
        }

        if (RefusalAfterPrivilegeDrop(current, next) is { } refusal)
        {
            _log.Info($"{name}: restart refused, the server keeps running: {refusal}");
            return null;
        }
        _log.Info($"{name}: process restarting");
        return next;
    }

    /// <summary>Why a restart cannot work once root is given up, or null when it can (or root was kept).</summary>
    private static string? RefusalAfterPrivilegeDrop(ServerOptions current, ServerOptions next)
    {
        // `group` alone keeps user id 0, and with it the right to open tun devices and bind any port.
        if (PrivilegeDrop.Current is not { } dropped || PrivilegeDrop.IsRoot) return null;
        string why = $"the process runs as {dropped.Describe()}";
        if (!current.PersistTun)
            return $"{why} and without persist-tun the tun device would have to be opened again, which needs root; add persist-tun, or restart the process";
        if (!SameTunSettings(current, next))
            return $"{why} and the new configuration changes the tun device (dev, server, tun-mtu), which needs root; restart the process";
        if (!PrivilegeDrop.CanBindPort(next.Port))
            return $"{why} and port {next.Port} is below {PrivilegeDrop.UnprivilegedPortStart()}: binding it again needs root; restart the process";
        return null;
    }

    /// <summary>Whether a tun device configured for <paramref name="a"/> serves <paramref name="b"/> as it is.</summary>
    private static bool SameTunSettings(ServerOptions a, ServerOptions b) =>
        a.Device == b.Device && a.TunMtu == b.TunMtu && a.ServerNetwork.Equals(b.ServerNetwork) && a.ServerNetmask.Equals(b.ServerNetmask);

    private async Task<int> StopAsync(VpnServer server, CancellationTokenSource stop, Task run)
    {
        stop.Cancel();
        if (await WaitAsync(run).ConfigureAwait(false) is { } error) return Fatal(server.Tun, error);
        server.Tun?.Dispose();
        return ServeCommand.ExitOk;
    }

    /// <summary>The run stopped without being asked to: it failed (at start-up, or while serving).</summary>
    private async Task<int> EndedByItselfAsync(VpnServer server, Task run)
    {
        var error = await WaitAsync(run).ConfigureAwait(false) ?? new InvalidOperationException("the server stopped by itself");
        return Fatal(server.Tun, error);
    }

    private int Fatal(TunDevice? tun, Exception error)
    {
        tun?.Dispose();
        // Both: standard error for a terminal (it is /dev/null once a daemon detached), the log for syslog or a log file.
        _log.Fatal($"fatal: {error.Message}");
        Console.Error.WriteLine($"fatal: {error.Message}");
        return ServeCommand.ExitFatal;
    }

    /// <summary>Waits for a run to end; its error, or null when it ended cleanly (or was cancelled).</summary>
    private static async Task<Exception?> WaitAsync(Task run)
    {
        try
        {
            await run.ConfigureAwait(false);
            return null;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (Exception error)
        {
            return error;
        }
    }
}
