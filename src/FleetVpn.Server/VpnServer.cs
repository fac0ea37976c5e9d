using System.Net;
using System.Net.Sockets;
using FleetVpn.Platform.Memory;
using FleetVpn.Platform.Privileges;
using FleetVpn.Platform.Sockets;
using FleetVpn.Platform.Threading;
using FleetVpn.Platform.Tun;
using FleetVpn.Server.Config;
using FleetVpn.Server.Diagnostics;
using FleetVpn.Server.Diagnostics.Doctor;
using FleetVpn.Server.Engine;
using FleetVpn.Server.Logging;
using FleetVpn.Server.Management;
using FleetVpn.Server.Metrics;
using FleetVpn.Server.Reload;
using FleetVpn.Server.Sessions;
using FleetVpn.Server.Routing;
using FleetVpn.Server.Status;

namespace FleetVpn.Server;

/// <summary>
/// The engine's entry point: creates and configures the tun with a queue per worker (or takes the one an earlier run
/// kept open), binds a socket per worker on the UDP port (SO_REUSEPORT), reads `ifconfig-pool-persist`, drops
/// privileges (`user`/`group`), then runs the workers (<see cref="Worker"/>), the status writer and the
/// pool-persist writer until cancelled.
/// </summary>
/// <remarks>
/// One instance is one run; SIGHUP reloads it in place (<see cref="Reload"/>). A restart (SIGUSR1) is a new instance: with `persist-tun` the
/// device stays open and configured across runs (<see cref="Tun"/> is handed to the next instance),
/// without it each run opens and closes its own.
/// </remarks>
public sealed class VpnServer
{
    /// <summary>Both buffers each worker socket asks for unless `rcvbuf`/`sndbuf` say otherwise (forced past net.core.rmem_max/wmem_max with CAP_NET_ADMIN).</summary>
    public const int SocketBufferBytes = 4 * 1024 * 1024;

    private readonly ServerOptions _options;
    private readonly ServerLog _log;
    private readonly ManagementServer? _management;
    private StatusFileWriter? _statusWriter;
    /// <summary>The run's engine while it serves (from the ready line to the start of shutdown): what a reload changes.</summary>
    private volatile ServerContext? _serving;
    private TunDevice? _tun;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="options">The configuration of this run.</param>
    /// <param name="log">Where the run logs.</param>
    /// <param name="tun">
    /// An open, configured device kept from an earlier run (`persist-tun`): used as it is, never
    /// reconfigured, and left open. Null: the run opens and configures its own.
    /// </param>
    /// <param name="management">The management interface, kept across runs by the caller; this run attaches to it while it serves.</param>
    public VpnServer(ServerOptions options, ServerLog log, TunDevice? tun = null, ManagementServer? management = null)
    {
        _options = options;
        _log = log;
        _tun = tun;
        _management = management;
    }

    /// <summary>
    /// The device while it is open: after <see cref="RunAsync"/> it is still open when it was passed in
    /// or `persist-tun` kept it, and the caller owns it then (hands it to the next run, or disposes it).
    /// Null once closed.
    /// </summary>
    public TunDevice? Tun => _tun;

    /// <summary>Completes once the run serves (tun up, sockets bound, workers running): when it logs "Initialization Sequence Completed".</summary>
    public Task Started => _started.Task;

    /// <summary>The running server's state (sessions, counters), from the moment its sockets are bound.</summary>
    public ServerContext? Context { get; private set; }

    public async Task RunAsync(CancellationToken cancellation)
    {
        // The tun gets NET+1 of `server NET MASK`; the pool itself is built once, in ServerContext.
        var serverAddress = AddressPool.ToAddress(AddressPool.ToUInt32(_options.ServerNetwork) + 1);
        int prefixLength = System.Numerics.BitOperations.PopCount(AddressPool.ToUInt32(_options.ServerNetmask));
        bool keepTun = _tun is not null || _options.PersistTun;
        TunDevice tun;
        if (_tun is { } kept)
        {
            tun = kept;
            _log.Info($"TUN/TAP device {tun.Name} kept open (persist-tun)");
        }
        else
        {
            tun = TunDevice.Open(_options.Device, queues: WorkerCount(_options));
            _tun = tun;
            try
            {
                InterfaceConfigurator.Configure(tun.Name, serverAddress, prefixLength, _options.TunMtu);
            }
            catch
            {
                tun.Dispose();
                _tun = null;
                throw;
            }
            _log.Info($"TUN/TAP device {tun.Name} opened, {serverAddress}/{prefixLength} mtu {_options.TunMtu}");
        }

        try
        {
            await ServeAsync(tun, cancellation).ConfigureAwait(false);
        }
        finally
        {
            if (keepTun)
            {
                _log.Write(3, $"TUN/TAP device {tun.Name} left open (persist-tun)");
            }
            else
            {
                tun.Dispose();
                _tun = null;
                _log.Write(3, $"TUN/TAP device {tun.Name} closed");
            }
        }
    }

    private async Task ServeAsync(TunDevice tun, CancellationToken cancellation)
    {
        var ports = Bind(WorkerCount(_options));
        var server = new ServerContext(_options, _log, ports, tun);
        Context = server;
        foreach (var warning in _options.Warnings) _log.Info($"WARNING: {warning}");
        if (_options.Revocation is { } revocation) _log.Info(revocation.Describe(DateTime.UtcNow));
        var cpus = WorkerCpus(_options);
        var workers = ports.Select((port, i) => new Worker(server, i, port, cpus is null ? null : cpus[i % cpus.Count])).ToList();
        server.Workers = workers;
        _log.Info($"UDP link local: {ports[0].LocalEndPoint}; {workers.Count} worker(s){(cpus is null ? "" : $" pinned to CPUs {string.Join(',', cpus.Take(workers.Count))}")}, " +
            $"tun queues {tun.QueueCount}, receive buffer {ports[0].ReceiveBufferBytes / 1024} KB each; max-clients {_options.MaxClients}; data-ciphers {string.Join(':', _options.DataCiphers)}");
        if (_options.FleetNodes > 0)
            _log.Info($"fleet-node {_options.FleetNode} of {_options.FleetNodes}: pool {server.Pool.Slice} ({server.Pool.Capacity} addresses); " +
                $"a client address outside it (static addresses: {FleetSlice.Of(server.Pool.Network, server.Pool.PrefixLength, 0, _options.FleetNodes)}) gets a /32 route on {tun.Name}");
        if (_options.MaxClients > server.Pool.Capacity)
            _log.Info($"WARNING: max-clients {_options.MaxClients} exceeds the {server.Pool.Capacity} addresses of the pool " +
                $"({server.Pool.Slice}): clients past {server.Pool.Capacity} without an ifconfig-push address are refused", "max-clients");

        using var metrics = new ServerMetrics(server);
        server.Metrics = metrics;
        using var metricsSite = _options.MetricsEndPoint is null ? null : new MetricsSite(server, metrics);
        await using var metricsEndpoint = metricsSite is null ? null : StartMetricsEndpoint(metricsSite);

        WarnAboutKernelLimits();

        PoolPersistence? persistence = null;
        if (_options.IfconfigPoolPersistFile is { } persistFile)
        {
            persistence = new PoolPersistence(persistFile, _options.IfconfigPoolPersistSeconds);
            persistence.Load(server.Pool, _log);
        }

        DropPrivileges();
        if (_options.StatusFile is { } statusFile) _statusWriter = new StatusFileWriter(statusFile, _options.StatusVersion);
        if (_management is not null) server.SessionObserver = _management.Attach(server);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var threads = workers.Select(w => StartThread($"fleetvpn-w{w.Index}", () => w.Run(stop.Token))).ToList();
        DataPathWarmup.Run();
        _serving = server;
        _log.Info("Initialization Sequence Completed");
        _started.TrySetResult();

        try
        {
            await Task.WhenAll(
                WriteStatusLoopAsync(server, stop.Token),
                WritePoolLoopAsync(server, persistence, stop.Token),
                ResourcesLoopAsync(server, stop.Token)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
        }
        finally
        {
            // From here on only known clients are served (their acknowledgements of RESTART), so a client that
            // reconnects at once is not half-admitted by a run that is going away (its handshake would die with
            // this run's cookie key) and retries against the next run instead.
            _serving = null;
            server.Draining = true;
            if (_options.ExplicitExitNotify) await NotifyClientsOfRestartAsync(server).ConfigureAwait(false);
            stop.Cancel();
            foreach (var session in server.Sessions.All.ToList()) session.Close("server shutting down", level: 3);
            foreach (var t in threads) t.Join(TimeSpan.FromSeconds(2));
            await server.Scripts.DrainAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false); // client-disconnect of every client
            foreach (var w in workers) w.Dispose();
            foreach (var p in ports) p.Dispose();
            WriteStatus(server);
            if (_management is not null) await _management.DetachAsync().ConfigureAwait(false);
            persistence?.Save(server.Pool, _log);
            _log.Info($"shut down; counters: {server.Counters}");
        }
    }

    /// <summary>True from the ready line until shutdown starts: a SIGHUP can then reload the run in place.</summary>
    public bool IsServing => _serving is not null;

    /// <summary>
    /// SIGHUP without a restart: puts <paramref name="reloaded"/> in force for every handshake from now on (certificate
    /// and key, CA, CRL, TLS policy, ccd, push, scripts, ...) while connected clients stay; what cannot change while
    /// the run serves keeps its running value, each change logged as a warning (<see cref="LiveReload"/>). A client
    /// whose certificate the reloaded `crl-verify` revokes is disconnected at once (told RESTART when its control
    /// channel is open). Returns the options now in force, or null when the run is not serving (starting or stopping):
    /// then nothing changed. Throws when the new TLS settings cannot be made (nothing changed either).
    /// </summary>
    public ServerOptions? Reload(ServerOptions reloaded)
    {
        if (_serving is not { } server) return null;
        var effective = LiveReload.Merge(server.Options, reloaded, out var kept);
        var tls = ServerContext.CreateTls(effective);
        server.Reload(effective, tls);
        foreach (var warning in effective.Warnings) _log.Info($"WARNING: {warning}");
        foreach (var change in kept)
            _log.Info($"WARNING: SIGHUP: {change} cannot change while the server runs: the running value stays until a restart (SIGUSR1, or a new process)", "reload-kept");
        if (effective.Revocation is { } revocation) _log.Info(revocation.Describe(DateTime.UtcNow));
        int revoked = DisconnectRevoked(server, effective);
        _log.Info($"SIGHUP: configuration reloaded without a restart: certificate {effective.ServerCertificate?.Subject}, " +
            $"{server.Sessions.Count - revoked} client(s) stay connected{(revoked > 0 ? $", {revoked} disconnected (certificate revoked)" : "")}");
        return effective;
    }

    /// <summary>Disconnects the clients whose certificate the reloaded revocation check names; how many.</summary>
    private int DisconnectRevoked(ServerContext server, ServerOptions options)
    {
        if (options.Revocation is not { } revocation) return 0;
        var revoked = server.Sessions.All
            .Where(s => s.State != Sessions.SessionState.Closed && !s.Certificate.IsEmpty && revocation.RevokesConnected(s.Certificate))
            .ToList();
        foreach (var session in revoked)
        {
            _log.Info($"{session.Name} certificate revoked by the reloaded crl-verify, disconnecting", "revoked");
            _ = SessionEviction.EvictAsync(session, "RESTART", "certificate revoked (crl-verify reloaded by SIGHUP)", cutTraffic: true);
        }
        return revoked.Count;
    }

    /// <summary>
    /// `user`/`group`: once the tun exists and the socket is bound, the process gives up root for good.
    /// A later run (restart) finds the privileges already dropped; they cannot change without a new process.
    /// </summary>
    private void DropPrivileges()
    {
        if (_options.User is null && _options.Group is null) return;
        if (PrivilegeDrop.Current is { } current)
        {
            bool same = current.UserName == _options.User && (_options.Group is null || current.GroupName == _options.Group);
            if (same) _log.Write(3, $"privileges already dropped to {current.Describe()}");
            else _log.Info($"WARNING: the configuration names user {_options.User ?? "(none)"} group {_options.Group ?? "(none)"}, but the process already runs as {current.Describe()}; restart the process to change them");
            return;
        }

        var dropped = PrivilegeDrop.Drop(_options.User, _options.Group);
        _log.Info($"dropped privileges to {dropped.Describe()}");
        if (PrivilegeDrop.IsRoot) return; // `group` alone: still user id 0
        if (!_options.PersistTun)
            _log.Info("NOTE: without persist-tun, SIGUSR1 restarts are refused from now on (SIGHUP reloads live): reopening the tun device needs root");
        if (!PrivilegeDrop.CanBindPort(_options.Port))
            _log.Info($"NOTE: port {_options.Port} is below {PrivilegeDrop.UnprivilegedPortStart()}: SIGUSR1 restarts are refused from now on (SIGHUP reloads live), binding it again needs root");
        if (_options.ClientConfigDir is not null)
            _log.Info($"NOTE: as {dropped.Describe()} the server cannot add kernel routes (iroute, ifconfig-push outside the pool): that needs CAP_NET_ADMIN");
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

    /// <summary>`workers N`, or one per CPU the process may run on.</summary>
    private static int WorkerCount(ServerOptions options) =>
        options.Workers > 0 ? options.Workers : Math.Max(1, CpuAffinity.Allowed().Count);

    /// <summary>The CPUs of `worker-cpus` (auto: the process's own), or null when workers are not pinned.</summary>
    private static IReadOnlyList<int>? WorkerCpus(ServerOptions options) =>
        options.WorkerCpus is not { } cpus ? null : cpus.Count > 0 ? cpus : CpuAffinity.Allowed();

    /// <summary>A socket per worker on the same port (the first one's, when the configuration asks for port 0).</summary>
    private List<UdpPort> Bind(int count)
    {
        var local = _options.Local ?? IPAddress.IPv6Any;
        var ports = new List<UdpPort>(count);
        try
        {
            int port = _options.Port;
            for (int i = 0; i < count; i++)
            {
                ports.Add(UdpPort.Bind(local, port, _options.ReceiveBufferBytes ?? SocketBufferBytes, _options.SendBufferBytes ?? SocketBufferBytes, reusePort: true));
                port = ports[0].LocalEndPoint.Port;
            }
            return ports;
        }
        catch
        {
            foreach (var p in ports) p.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The doctor's kernel-limit checks (file limits, socket buffers, UDP memory, conntrack), each one that is off logged
    /// as a warning. Values the process cannot read are left to the doctor: in a network namespace the kernel hides
    /// some (net.ipv4.udp_mem), and a warning at every start would say nothing.
    /// </summary>
    private void WarnAboutKernelLimits()
    {
        var context = DoctorContext.ForMachine(_options);
        foreach (var finding in ServerDoctor.Run(context, ServerDoctor.KernelLimitChecks).Where(f => f.Status != DoctorStatus.Ok && f.Found != DoctorFinding.Unreadable))
            _log.Info($"WARNING: kernel limits for max-clients {_options.MaxClients}: {finding.Name} is {finding.Found}, wanted {finding.Wanted}" +
                $"{(finding.Advice is null ? "" : $" ({finding.Advice})")}; see 'fleetvpn doctor'", "kernel-limits");
    }

    /// <summary>`metrics ADDRESS PORT` (/metrics and the dashboard), bound before privileges are dropped; a port that cannot be bound is logged, the VPN serves on.</summary>
    private MetricsHttpEndpoint? StartMetricsEndpoint(MetricsSite site)
    {
        var endPoint = _options.MetricsEndPoint!;
        try
        {
            var endpoint = MetricsHttpEndpoint.Start(endPoint, site.Answer);
            _log.Info($"metrics: Prometheus text format at http://{endpoint.LocalEndPoint}/metrics, dashboard at http://{endpoint.LocalEndPoint}/");
            return endpoint;
        }
        catch (SocketException e)
        {
            _log.Info($"WARNING: metrics: cannot listen on {endPoint}: {e.Message}; serving without /metrics", "metrics-error");
            return null;
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

    /// <summary>A diagnostic: where the resources loop writes glibc's malloc_info report each minute, after the reclaim.</summary>
    public const string NativeHeapReportVariable = "FLEETVPN_MALLOC_INFO";

    /// <summary>
    /// Once a minute: memory left unused after a burst goes back to the kernel (<see cref="MemoryReclaimer"/>), and at
    /// verb 3 a line with the clients, RSS, managed and native heaps (RSS alone misleads: the GC and glibc keep
    /// high-water marks) and the drop counters.
    /// </summary>
    private static async Task ResourcesLoopAsync(ServerContext server, CancellationToken cancellation)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(60));
        // A burst has ended when at least 1,000 handshakes started since the last compaction and fewer than 100 in
        // the last minute: then one compacting collection clears what the burst left (a steady churn never triggers it).
        long startedAtCompaction = 0, startedBefore = 0;
        string? reportPath = Environment.GetEnvironmentVariable(NativeHeapReportVariable) is { Length: > 0 } path ? path : null;
        while (await timer.WaitForNextTickAsync(cancellation).ConfigureAwait(false))
        {
            long started = Interlocked.Read(ref server.Counters.HandshakesStarted);
            bool afterBurst = started - startedAtCompaction >= 1000 && started - startedBefore < 100;
            startedBefore = started;
            long returned = MemoryReclaimer.ReclaimIfWorthIt(afterBurst, out bool collected);
            // Only a compaction ends the count: the native trims during a ramp must not hide the burst from it.
            if (collected) startedAtCompaction = started;
            if (returned >= 1024 * 1024) server.Log.Write(3, $"memory: {returned / (1024 * 1024)} MB returned to the kernel after a burst");
            if (reportPath is not null) NativeHeap.WriteReport(reportPath);
            if (!server.Log.IsEnabled(3)) continue;
            var workers = string.Join(' ', server.Workers.Select(w => $"{w.Index}:{w.SessionCount}"));
            long handedOff = server.Workers.Sum(w => w.HandedOff), sendDropped = server.Workers.Sum(w => w.SendDropped);
            server.Log.Write(3, $"resources: {server.Sessions.Count} clients (per worker {workers}; {handedOff} datagrams handed to their owner, " +
                $"{sendDropped} refused by the kernel), {MemoryReclaimer.Describe()}, counters {server.Counters}");
        }
    }

    /// <summary>`ifconfig-pool-persist FILE N`: rewrites the file every N seconds (never when N = 0).</summary>
    private static async Task WritePoolLoopAsync(ServerContext server, PoolPersistence? persistence, CancellationToken cancellation)
    {
        if (persistence is null || persistence.IsReadOnly) return;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(persistence.IntervalSeconds));
        while (await timer.WaitForNextTickAsync(cancellation).ConfigureAwait(false)) persistence.Save(server.Pool, server.Log);
    }

    private void WriteStatus(ServerContext server)
    {
        if (_statusWriter is null) return;
        try
        {
            _statusWriter.Write(server.Sessions);
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
