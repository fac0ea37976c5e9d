using System.Diagnostics;
using FleetVpn.Platform.Memory;

namespace FleetVpn.Swarm;

/// <summary>
/// Runs a swarm: starts <see cref="SwarmOptions.Clients"/> simulated clients at the ramp rate, drives every
/// client's timers from one periodic sweep (retransmits, keepalive, ping-restart, ICMP probes, retries),
/// plays the scenario (steady, churn, storm), sends UDP traffic through the tunnels with a <see cref="TrafficSender"/> once
/// every client is connected (or from mid-run with those that are), prints a progress line every second and, at the end,
/// sends the exit notifications, lets clients still connecting settle, and returns the summary.
/// Each client owns one connected UDP socket; all of them are drained by the one receive thread of
/// <see cref="SwarmSockets"/>, and TLS runs on the thread pool, so the process uses few threads.
/// </summary>
public sealed class SwarmEngine : IDisposable
{
    private const int SweepMs = 100;
    private readonly SwarmOptions _options;
    private readonly TextWriter _progress;
    private readonly SimulatedClient[] _clients;
    private readonly SourceAddressPlan _sources;
    private readonly SwarmSockets _sockets;
    private readonly TrafficSender? _traffic;
    private long _lastTrafficSent;
    private long _lastTrafficMs;

    public SwarmEngine(SwarmOptions options, TextWriter progress)
    {
        _options = options;
        _progress = progress;
        _sources = SourceAddressPlan.Create(options.Remote.Address, options.Clients, options.SourcesCidr);
        _sockets = new SwarmSockets(options.Remote, options.Clients, _sources);
        _clients = new SimulatedClient[options.Clients];
        for (int i = 0; i < _clients.Length; i++) _clients[i] = new SimulatedClient(i, options, Stats, _sockets);
        if (options.TrafficTarget is not null) _traffic = new TrafficSender(_clients, options, Stats);
        Stats.FirstFailure += (reason, detail) => _progress.WriteLine($"first failure '{reason}': {detail}");
    }

    public SwarmStats Stats { get; } = new();

    public IReadOnlyList<SimulatedClient> Clients => _clients;

    public async Task<SwarmSummary> RunAsync(CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        var random = new Random(_options.Seed);
        int started = 0;
        long lastProgress = 0;
        long lastHandshakes = 0;
        long nextChurn = (long)_options.ChurnInterval.TotalMilliseconds;
        bool stormDone = false;
        long durationMs = (long)_options.Duration.TotalMilliseconds;
        _progress.WriteLine($"sources: {_sources.Describe()}");

        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(SweepMs));
        while (clock.ElapsedMilliseconds < durationMs && !cancellation.IsCancellationRequested)
        {
            long elapsed = clock.ElapsedMilliseconds;
            int due = (int)Math.Min(_clients.Length, Math.Ceiling(_options.RampPerSecond * elapsed / 1000.0) + 1);
            while (started < due) _clients[started++].Start();

            Sweep();

            // Traffic starts once the whole fleet is up, so the measured window has no handshakes in it;
            // from mid-run at the latest, with the clients that did connect.
            if (_traffic is { Started: false } && (Stats.ConnectedNow >= _clients.Length || elapsed >= durationMs / 2))
            {
                _traffic.Start();
                _progress.WriteLine($"traffic: sending to {_options.TrafficTarget} from {Stats.ConnectedNow} connected clients, " +
                    (_options.TrafficPacketsPerSecond > 0 ? $"{_options.TrafficPacketsPerSecond:0} datagrams/s offered" : "as fast as possible") +
                    $", {_options.PayloadBytes} B payload");
            }

            if (_options.Scenario == SwarmScenario.Churn && elapsed >= nextChurn)
            {
                nextChurn += (long)_options.ChurnInterval.TotalMilliseconds;
                var connected = _clients.Where(c => c.IsConnected).ToList();
                int n = (int)Math.Round(connected.Count * _options.ChurnPercent / 100.0);
                foreach (var c in connected.OrderBy(_ => random.Next()).Take(n))
                {
                    c.Reconnect(notifyExit: true);
                    Stats.ChurnedOne();
                }
                _progress.WriteLine($"churn: {n} clients left and reconnect");
            }
            if (_options.Scenario == SwarmScenario.Storm && !stormDone && elapsed >= durationMs / 2)
            {
                stormDone = true;
                foreach (var c in _clients) c.Reconnect(notifyExit: false);
                _progress.WriteLine($"storm: all {_clients.Length} clients drop and reconnect at once");
            }
            if (_options.Scenario == SwarmScenario.Float && !stormDone && elapsed >= durationMs / 2)
            {
                stormDone = true;
                int moved = 0;
                foreach (var c in _clients)
                {
                    if (!c.Float()) continue;
                    Stats.FloatedOne();
                    moved++;
                }
                _progress.WriteLine($"float: {moved} connected clients moved to a new source port, sessions kept");
            }
            if (elapsed - lastProgress >= 1000)
            {
                long hs = Stats.Handshakes;
                PrintProgress(elapsed, started, (hs - lastHandshakes) * 1000.0 / Math.Max(1, elapsed - lastProgress));
                lastHandshakes = hs;
                lastProgress = elapsed;
            }
            try { await timer.WaitForNextTickAsync(cancellation).ConfigureAwait(false); }
            catch (OperationCanceledException) { break; }
        }
        _traffic?.Stop();
        while (started < _clients.Length) _clients[started++].Start();

        // Settle: clients still (re)connecting get a bounded time to finish; no scenario events any more.
        var settle = Stopwatch.StartNew();
        while (_clients.Any(c => !c.IsConnected) && settle.Elapsed < _options.SettleTimeout && !cancellation.IsCancellationRequested)
        {
            Sweep();
            await Task.Delay(SweepMs, CancellationToken.None).ConfigureAwait(false);
        }
        double runSeconds = clock.Elapsed.TotalSeconds;
        var connectedAtEnd = _clients.Count(c => c.IsConnected);
        var neverConnected = _clients.Count(c => !c.EverConnected);
        var notConnected = _clients.Length - connectedAtEnd;
        var answered = _clients.Count(c => c.PingAnswered);
        // Measure the idle footprint after a full compacting collection (handshake garbage is not what an idle client costs).
        // Aggressive also hands the GC's free regions back to the kernel (a forced collection keeps them committed).
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        NativeHeap.Trim();
        double rss = RssMegabytes();
        double managed = GC.GetTotalMemory(forceFullCollection: false) / (1024.0 * 1024.0);
        double gcCommitted = GC.GetGCMemoryInfo().TotalCommittedBytes / (1024.0 * 1024.0);
        long nativeInUse = NativeHeap.InUseBytes(), nativeFree = NativeHeap.FreeBytes();

        // Explicit exit notification: OCC_EXIT (or EXIT) twice, a second apart, like --explicit-exit-notify 2.
        for (int round = 0; round < 2; round++)
        {
            foreach (var c in _clients) c.NotifyExit();
            if (round == 0) await Task.Delay(1000, CancellationToken.None).ConfigureAwait(false);
        }
        foreach (var c in _clients) c.Stop();
        PrintProgress(clock.ElapsedMilliseconds, started, 0);

        var (connect, connectMax) = Stats.ConnectMs.Snapshot(50, 90, 99);
        var (rtt, rttMax) = Stats.RttMs.Snapshot(50, 99);
        return new SwarmSummary
        {
            Clients = _clients.Length,
            Connected = connectedAtEnd,
            Failed = notConnected,
            NeverConnected = neverConnected,
            Failures = new SortedDictionary<string, int>(Stats.Failures.ToDictionary(kv => kv.Key, kv => kv.Value), StringComparer.Ordinal),
            ConnectMs = new Distribution(connect[0], connect[1], connect[2], connectMax, Stats.ConnectMs.Count),
            HandshakesPerSecond = Stats.Handshakes / Math.Max(0.001, runSeconds),
            Handshakes = Stats.Handshakes,
            PingSent = Stats.PingSent,
            PingReceived = Stats.PingReceived,
            PingClientsAnswered = answered,
            RttMs = new Distribution(rtt[0], rtt[0], rtt[1], rttMax, Stats.RttMs.Count),
            ElapsedSeconds = runSeconds,
            RssMegabytes = rss,
            ManagedMegabytes = managed,
            GcCommittedMegabytes = gcCommitted,
            NativeHeapMegabytes = nativeInUse < 0 ? -1 : nativeInUse / (1024.0 * 1024.0),
            NativeFreeMegabytes = nativeFree < 0 ? -1 : nativeFree / (1024.0 * 1024.0),
            Scenario = _options.Scenario.ToString().ToLowerInvariant(),
            Churned = Stats.Churned,
            Floated = Stats.Floated,
            Abandoned = Stats.AbandonedHandshakes,
            Renegotiations = Stats.Renegotiations,
            TrafficTarget = _options.TrafficTarget?.ToString(),
            TrafficSent = Stats.TrafficSent,
            TrafficPayloadBytes = Stats.TrafficBytes,
            TrafficRefused = Stats.TrafficRefused,
            TrafficSeconds = _traffic?.Seconds ?? 0,
            TrafficStartedAt = _traffic?.StartedAt,
            TrafficStoppedAt = _traffic?.StoppedAt,
        };
    }

    public void Dispose()
    {
        _traffic?.Dispose();
        _sockets.Dispose();
    }

    private void Sweep()
    {
        long now = SimulatedClient.NowMs;
        foreach (var c in _clients) c.Tick(now);
    }

    private void PrintProgress(long elapsedMs, int started, double handshakesPerSecond)
    {
        var (p, _) = Stats.ConnectMs.Snapshot(50, 99);
        var failures = Stats.Failures.Count == 0 ? "none" : string.Join(' ', Stats.Failures.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"));
        _progress.WriteLine(
            $"[{elapsedMs / 1000.0,6:0.0}s] started {started}/{_clients.Length} connected {Stats.ConnectedNow} " +
            $"handshakes/s {handshakesPerSecond:0.0} connect p50 {p[0]:0} ms p99 {p[1]:0} ms " +
            $"ping {Stats.PingReceived}/{Stats.PingSent} failures {failures}{TrafficProgress(elapsedMs)}");
    }

    /// <summary>" traffic N/s (total T)" while traffic is on: datagrams sent since the last progress line.</summary>
    private string TrafficProgress(long elapsedMs)
    {
        if (_traffic is not { Started: true }) return "";
        long sent = Stats.TrafficSent;
        double rate = (sent - _lastTrafficSent) * 1000.0 / Math.Max(1, elapsedMs - _lastTrafficMs);
        _lastTrafficSent = sent;
        _lastTrafficMs = elapsedMs;
        // A timestamped running total too, in the format of 'fleetvpn bench sink', so a script can take the offered rate over its own window.
        _progress.WriteLine(FormattableString.Invariant($"traffic: {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()} {sent} {Stats.TrafficRefused}"));
        return $" traffic {rate:0}/s (total {sent}, refused {Stats.TrafficRefused})";
    }

    /// <summary>Resident set size of this process (VmRSS of /proc/self/status), in MiB.</summary>
    public static double RssMegabytes()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    return long.Parse(line[6..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) / 1024.0;
        }
        catch (IOException) { }
        return Environment.WorkingSet / (1024.0 * 1024.0);
    }
}
