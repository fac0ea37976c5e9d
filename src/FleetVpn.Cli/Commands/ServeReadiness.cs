using FleetVpn.Platform.Hosting;
using FleetVpn.Server;
using FleetVpn.Server.Logging;
using FleetVpn.Server.Metrics;

namespace FleetVpn.Cli.Commands;

/// <summary>
/// Tells whoever waits on the process how it stands: systemd through NOTIFY_SOCKET (Type=notify: READY=1 once the
/// tun and sockets are up, a STATUS= line with the connected clients every <see cref="StatusInterval"/>, RELOADING=1
/// while a SIGHUP/SIGUSR1 restart runs, READY=1 again after it, STOPPING=1 on shutdown), and, for `daemon`, the
/// parent that started this detached copy (READY=1 once, after which the copy lets go of the terminal).
/// </summary>
internal sealed class ServeReadiness : IAsyncDisposable
{
    public static readonly TimeSpan StatusInterval = TimeSpan.FromSeconds(10);

    private readonly SystemdNotifier? _systemd;
    private SystemdNotifier? _daemonParent;
    private readonly ServerLog _log;
    private readonly CancellationTokenSource _stop = new();
    private Task? _statusLoop;
    private volatile VpnServer? _current;

    /// <param name="systemd">NOTIFY_SOCKET's notifier, or null outside systemd.</param>
    /// <param name="daemonParent">The socket of the parent waiting for this detached copy (`daemon`), or null.</param>
    public ServeReadiness(SystemdNotifier? systemd, SystemdNotifier? daemonParent, ServerLog log)
    {
        _systemd = systemd;
        _daemonParent = daemonParent;
        _log = log;
    }

    /// <summary>A run of the server is up (the first one, or the one after a restart).</summary>
    public void Started(VpnServer server)
    {
        _current = server;
        _systemd?.Ready(StatusLine(server));
        _statusLoop ??= _systemd is null ? null : StatusLoopAsync(_stop.Token);
        if (_daemonParent is { } parent)
        {
            _daemonParent = null;
            bool told = parent.Ready();
            parent.Dispose();
            // From here on the log goes to syslog or the `log` file only; the terminal is the parent's again.
            TerminalDetachment.CloseStandardStreams();
            _log.Info($"daemon: detached, process {Environment.ProcessId}{(told ? "" : " (the starting process was gone)")}");
        }
    }

    /// <summary>A SIGHUP or SIGUSR1 restart begins; <see cref="Started"/>, <see cref="Reloaded"/> or <see cref="RestartRefused"/> ends it.</summary>
    public void Restarting()
    {
        _current = null;
        _systemd?.Reloading();
    }

    /// <summary>The restart was refused: the running server goes on as it was.</summary>
    public void RestartRefused(VpnServer running) => Resume(running);

    /// <summary>A SIGHUP reload took without a restart: the running server goes on with the new configuration.</summary>
    public void Reloaded(VpnServer running) => Resume(running);

    private void Resume(VpnServer running)
    {
        _current = running;
        _systemd?.Ready(StatusLine(running));
    }

    /// <summary>The process is shutting down.</summary>
    public void Stopping()
    {
        _current = null;
        _systemd?.Stopping();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_statusLoop is not null)
        {
            try { await _statusLoop.ConfigureAwait(false); }
            catch (OperationCanceledException) { }
        }
        _stop.Dispose();
        _systemd?.Dispose();
        _daemonParent?.Dispose();
    }

    /// <summary>"N clients connected", counted as the metrics count them (a lock-free walk of the session slots).</summary>
    internal static string StatusLine(VpnServer server) =>
        server.Context is { } context ? $"{SessionWalk.Established(context.Sessions)} clients connected" : "starting";

    private async Task StatusLoopAsync(CancellationToken cancellation)
    {
        using var timer = new PeriodicTimer(StatusInterval);
        while (await timer.WaitForNextTickAsync(cancellation).ConfigureAwait(false))
        {
            if (_current is { } server) _systemd!.Status(StatusLine(server));
        }
    }
}
