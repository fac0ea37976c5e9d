using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using FleetVpn.Server.Config;
using FleetVpn.Server.Logging;
using FleetVpn.Server.Sessions;

namespace FleetVpn.Server.Management;

/// <summary>
/// OpenVPN's management interface (<c>management IP PORT [PWFILE]</c>, <c>management PATH unix [PWFILE]</c>),
/// with any number of connections at once, each served asynchronously with its own bounded output
/// (<see cref="ManagementConnection"/>). It outlives a server run, as OpenVPN's does across SIGHUP and SIGUSR1:
/// each run attaches itself (<see cref="Attach"/>) and detaches when it ends, and the connections stay open.
/// </summary>
public sealed class ManagementServer : IAsyncDisposable
{
    /// <summary>How far (in characters) a connection's reader may fall behind before it is dropped.</summary>
    public const long DefaultMaxPendingChars = 16 * 1024 * 1024;

    private readonly Socket _listener;
    private readonly ServerLog _log;
    private readonly ManagementCommands _commands;
    private readonly ManagementLogHistory _history = new();
    private readonly ConcurrentDictionary<ManagementConnection, Task> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly long _maxPendingChars;
    // Counted apart: ConcurrentDictionary's Count and IsEmpty take every lock, and a session event asks on any thread.
    private int _connectionCount;
    private readonly Task _acceptLoop;
    private volatile IManagementTarget? _target;
    private ManagementNotifications? _notifications;
    private CancellationTokenSource? _notificationsStop;
    private Task _notificationsLoop = Task.CompletedTask;

    private ManagementServer(ManagementEndpoint endpoint, Socket listener, ServerLog log, Action<PosixSignal>? raiseSignal, long maxPendingChars)
    {
        Endpoint = endpoint;
        _listener = listener;
        _log = log;
        _maxPendingChars = maxPendingChars;
        _commands = new ManagementCommands(() => _target, log, _history, raiseSignal);
        log.LineWritten += OnLogLine;
        _acceptLoop = AcceptLoopAsync();
    }

    public ManagementEndpoint Endpoint { get; }

    /// <summary>The TCP address and port listened on (the real port when the configuration said 0); null for a unix socket.</summary>
    public IPEndPoint? LocalEndPoint => _listener.LocalEndPoint as IPEndPoint;

    public int ConnectionCount => Volatile.Read(ref _connectionCount);

    /// <summary>Binds the listener (throws <see cref="SocketException"/> when it cannot) and starts accepting.</summary>
    /// <param name="raiseSignal">What `signal SIGHUP|SIGTERM|SIGUSR1` does (as if the process had received it); null: refused.</param>
    public static ManagementServer Start(ManagementEndpoint endpoint, ServerLog log, Action<PosixSignal>? raiseSignal,
        long maxPendingChars = DefaultMaxPendingChars)
    {
        Socket listener;
        if (endpoint.UnixPath is { } path)
        {
            // A socket file left by a process that ended without cleaning up would make bind fail.
            if (File.Exists(path)) File.Delete(path);
            listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            BindAndListen(listener, new UnixDomainSocketEndPoint(path));
        }
        else
        {
            var address = endpoint.Address ?? IPAddress.Loopback;
            listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            BindAndListen(listener, new IPEndPoint(address, endpoint.Port));
        }
        var server = new ManagementServer(endpoint, listener, log, raiseSignal, maxPendingChars);
        log.Info($"MANAGEMENT: {(endpoint.IsUnix ? "unix domain socket" : "TCP Socket")} listening on {(endpoint.IsUnix ? endpoint.UnixPath : server.LocalEndPoint)}");
        return server;
    }

    private static void BindAndListen(Socket listener, EndPoint endPoint)
    {
        try
        {
            listener.Bind(endPoint);
            listener.Listen(64);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A server run starts: commands act on it from now on, and its clients' comings and goings are announced.
    /// Returns the observer the run hands its sessions.
    /// </summary>
    public ISessionObserver Attach(ServerContext server)
    {
        _target = new ServerManagementTarget(server);
        var notifications = new ManagementNotifications(() => ConnectionCount > 0, () => server.Sessions.Count, Broadcast);
        _notificationsStop = new CancellationTokenSource();
        _notificationsLoop = notifications.RunAsync(_notificationsStop.Token);
        _notifications = notifications;
        return notifications;
    }

    /// <summary>The run ended: its last notifications go out, then commands that need a server are refused until the next run.</summary>
    public async Task DetachAsync()
    {
        _target = null;
        _notificationsStop?.Cancel();
        await _notificationsLoop.ConfigureAwait(false);
        if (_notifications is { Dropped: > 0 } n) _log.Info($"MANAGEMENT: {n.Dropped} client notifications dropped (the notification queue was full)");
        _notificationsStop?.Dispose();
        _notificationsStop = null;
        _notifications = null;
    }

    /// <summary>Sends a block of lines to every connection past its password.</summary>
    private void Broadcast(string text)
    {
        foreach (var connection in _connections.Keys)
            if (connection.IsAuthenticated) connection.Send(text);
    }

    private void OnLogLine(int level, string message)
    {
        var line = ManagementCommands.FormatLogLine(level, message, DateTimeOffset.UtcNow);
        _history.Add(line);
        foreach (var connection in _connections.Keys)
            if (connection.State.LogRealtime && connection.IsAuthenticated) connection.Send(line);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                _log.Info($"MANAGEMENT: accept failed: {e.Message}", "management");
                continue;
            }
            string peer = socket.RemoteEndPoint is IPEndPoint ip ? ip.ToString() : Endpoint.UnixPath ?? "unix";
            _log.Write(3, $"MANAGEMENT: Client connected from {peer}", "management");
            var connection = new ManagementConnection(socket, peer, _commands, () => _target, _log, Endpoint.Password, _maxPendingChars, _stopping.Token);
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            // Registered before it runs, so a notification right after the banner reaches it.
            _connections[connection] = gate.Task;
            Interlocked.Increment(ref _connectionCount);
            _ = ServeAsync(connection, gate);
        }
    }

    private async Task ServeAsync(ManagementConnection connection, TaskCompletionSource done)
    {
        try
        {
            await Task.Yield();
            await connection.RunAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _log.Info($"MANAGEMENT: connection {connection.Peer} failed: {e.Message}", "management");
        }
        finally
        {
            if (_connections.TryRemove(connection, out _)) Interlocked.Decrement(ref _connectionCount);
            done.TrySetResult();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _log.LineWritten -= OnLogLine;
        _stopping.Cancel();
        _listener.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        foreach (var (connection, _) in _connections) connection.Abort();
        try
        {
            await Task.WhenAll(_connections.Values).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _log.Info($"MANAGEMENT: {ConnectionCount} connection(s) still closing after 5 s; going on without them", "management");
        }
        if (Endpoint.UnixPath is { } path)
        {
            try { File.Delete(path); } catch (IOException) { }
        }
        _stopping.Dispose();
    }
}
