using System.Net;
using System.Net.Sockets;
using FleetVpn.Platform.Tun;
using FleetVpn.Server.Config;
using FleetVpn.Server.Logging;
using FleetVpn.Server.Routing;
using FleetVpn.Server.Status;

namespace FleetVpn.Server;

/// <summary>
/// The engine's entry point: creates and configures the tun, binds the UDP port, then runs the
/// receive loop, the tun reader, the timers and the status writer until cancelled.
/// </summary>
public sealed class VpnServer
{
    private readonly ServerOptions _options;
    private readonly ServerLog _log;

    public VpnServer(ServerOptions options, ServerLog log)
    {
        _options = options;
        _log = log;
    }

    public async Task RunAsync(CancellationToken cancellation)
    {
        var pool = new AddressPool(_options.ServerNetwork, _options.ServerNetmask);
        using var tun = TunDevice.Open(_options.Device);
        InterfaceConfigurator.Configure(tun.Name, AddressPool.ToAddress(pool.ServerAddress), pool.PrefixLength, _options.TunMtu);
        _log.Info($"TUN/TAP device {tun.Name} opened, {AddressPool.ToAddress(pool.ServerAddress)}/{pool.PrefixLength} mtu {_options.TunMtu}");

        using var socket = Bind();
        var server = new ServerContext(_options, _log, socket, tun);
        _log.Info($"UDP link local: {socket.LocalEndPoint}; max-clients {_options.MaxClients}; data-ciphers {string.Join(':', _options.DataCiphers)}");

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var threads = new[]
        {
            StartThread("fleetvpn-udp", () => ReceiveLoop(server, stop.Token)),
            StartThread("fleetvpn-tun", () => new TunForwarder(server).Run(stop.Token)),
            StartThread("fleetvpn-timers", () => new SessionTimers(server).Run(stop.Token)),
        };
        _log.Info("Initialization Sequence Completed");

        try
        {
            await WriteStatusLoopAsync(server, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
        }
        finally
        {
            if (_options.ExplicitExitNotify) await NotifyClientsOfRestartAsync(server).ConfigureAwait(false);
            stop.Cancel();
            foreach (var session in server.Sessions.All.ToList()) session.Close("server shutting down", level: 3);
            socket.Close();
            foreach (var t in threads) t.Join(TimeSpan.FromSeconds(2));
            WriteStatus(server);
            _log.Info($"shut down; counters: {server.Counters}");
        }
    }

    /// <summary>
    /// Server-side `explicit-exit-notify`: every connected client is told RESTART over its control
    /// channel, and the server waits (at most 2 s) for the acknowledgements before it goes.
    /// </summary>
    private async Task NotifyClientsOfRestartAsync(ServerContext server)
    {
        var sessions = server.Sessions.All.Where(s => s.State == Sessions.SessionState.Established).ToList();
        _log.Info($"explicit-exit-notify: telling {sessions.Count} client(s) to reconnect");
        var sends = sessions.Select(s => s.NotifyRestartAsync().ContinueWith(_ => { }, TaskScheduler.Default));
        await Task.WhenAny(Task.WhenAll(sends), Task.Delay(1000)).ConfigureAwait(false);
        var deadline = ServerContext.NowMs + 2000;
        while (ServerContext.NowMs < deadline && sessions.Any(s => !s.ControlChannelIdle))
            await Task.Delay(50).ConfigureAwait(false);
    }

    private Socket Bind()
    {
        var local = _options.Local ?? IPAddress.IPv6Any;
        var socket = new Socket(local.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (local.AddressFamily == AddressFamily.InterNetworkV6) socket.DualMode = true;
        socket.ReceiveBufferSize = 4 * 1024 * 1024;
        socket.SendBufferSize = 4 * 1024 * 1024;
        socket.Bind(new IPEndPoint(local, _options.Port));
        return socket;
    }

    private void ReceiveLoop(ServerContext server, CancellationToken cancellation)
    {
        var dispatcher = new PacketDispatcher(server);
        var buffer = new byte[65536];
        var from = new SocketAddress(server.Socket.AddressFamily);
        while (!cancellation.IsCancellationRequested)
        {
            int length;
            try
            {
                length = server.Socket.ReceiveFrom(buffer, SocketFlags.None, from);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize)
            {
                continue;
            }
            catch (Exception) when (cancellation.IsCancellationRequested)
            {
                return;
            }
            try
            {
                dispatcher.OnDatagram(buffer.AsSpan(0, length), from);
            }
            catch (Exception e)
            {
                // A bug must not take the receive loop down: count, log and go on.
                Diagnostics.ServerCounters.Increment(ref server.Counters.Malformed);
                _log.Info($"packet from {from} dropped after an internal error: {e.GetType().Name}: {e.Message}", "dispatch-error");
            }
        }
    }

    private async Task WriteStatusLoopAsync(ServerContext server, CancellationToken cancellation)
    {
        if (_options.StatusFile is null)
        {
            await Task.Delay(Timeout.Infinite, cancellation).ConfigureAwait(false);
            return;
        }
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(1, _options.StatusIntervalSeconds)));
        WriteStatus(server);
        while (await timer.WaitForNextTickAsync(cancellation).ConfigureAwait(false)) WriteStatus(server);
    }

    private void WriteStatus(ServerContext server)
    {
        if (_options.StatusFile is null) return;
        try
        {
            StatusFileWriter.Write(_options.StatusFile, server.Sessions.All);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.Info($"status file {_options.StatusFile}: {e.Message}", "status-error");
        }
    }

    private static Thread StartThread(string name, Action body)
    {
        var thread = new Thread(() => body()) { Name = name, IsBackground = true };
        thread.Start();
        return thread;
    }
}
