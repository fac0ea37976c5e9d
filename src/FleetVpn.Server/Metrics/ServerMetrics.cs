using System.Diagnostics.Metrics;
using FleetVpn.Platform.Memory;
using FleetVpn.Server.Diagnostics;

namespace FleetVpn.Server.Metrics;

/// <summary>
/// The run's instruments on the <see cref="MeterName"/> meter, seen by the /metrics endpoint, dotnet-counters and
/// OpenTelemetry alike. All but the handshake latency are observable: they read what the engine already keeps
/// (<see cref="ServerCounters"/>, the workers, the session table, the kernel's /proc files) when someone collects,
/// so nothing is added to the data path. No instrument has a label per client.
/// </summary>
public sealed class ServerMetrics : IDisposable
{
    public const string MeterName = "FleetVpn.Server";

    /// <summary>Bucket bounds of the handshake latency, in seconds (a hand-window is 60 s by default).</summary>
    public static readonly IReadOnlyList<double> HandshakeBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    private readonly ServerContext _server;
    private readonly SystemFiles _files;
    private readonly Histogram<double> _handshakeDuration;
    private long _disconnectsSeen;

    public ServerMetrics(ServerContext server, SystemFiles? files = null)
    {
        _server = server;
        _files = files ?? SystemFiles.Machine;
        Meter = new Meter(MeterName);
        var counters = server.Counters;

        Meter.CreateObservableGauge("fleetvpn.clients.connected", () => ConnectedClients(), "{client}", "Clients with an established session (data keys installed).");
        Meter.CreateObservableGauge("fleetvpn.clients.max", () => server.Options.MaxClients, "{client}", "The configured max-clients.");
        Meter.CreateObservableGauge("fleetvpn.sessions", () => SessionCount(), "{session}", "Session records, established or still in their handshake.");
        Meter.CreateObservableGauge("fleetvpn.handshakes.in_flight", () => server.HandshakesInFlight, "{handshake}", "First handshakes admitted and not finished (admission control sheds new clients past the bound).");
        Meter.CreateObservableGauge("fleetvpn.handshakes.in_flight_limit", () => server.MaxHandshakesInFlight, "{handshake}", "The admission bound on first handshakes in flight.");

        Meter.CreateObservableCounter("fleetvpn.handshakes.started", () => Interlocked.Read(ref counters.HandshakesStarted), "{handshake}", "First handshakes admitted.");
        Meter.CreateObservableCounter("fleetvpn.handshakes.completed", () => Interlocked.Read(ref counters.HandshakesCompleted), "{handshake}", "First handshakes that installed data keys.");
        Meter.CreateObservableCounter("fleetvpn.handshakes.failed", HandshakeFailures, "{handshake}", "Handshakes that failed, by reason.");
        _handshakeDuration = Meter.CreateHistogram("fleetvpn.handshake.duration", "s", "From the first packet after the cookie exchange to the data keys of a client's first handshake.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = HandshakeBuckets });
        Meter.CreateObservableCounter("fleetvpn.connects", () => Interlocked.Read(ref counters.HandshakesCompleted), "{client}", "Clients that connected (completed their first handshake).");
        Meter.CreateObservableCounter("fleetvpn.disconnects", () => Disconnects(ConnectedClients()), "{client}", "Connected clients that went away (connects minus those connected now).");

        Meter.CreateObservableCounter("fleetvpn.drops", Drops, "{packet}", "Datagrams dropped, by reason.");
        Meter.CreateObservableCounter("fleetvpn.log.lines_dropped", () => server.Log.LinesDropped, "{line}", "Log lines lost: the log queue was full (logging never waits) or the log output failed.");
        Meter.CreateObservableCounter("fleetvpn.cookie_replies", () => Interlocked.Read(ref counters.CookieReplies), "{packet}", "Stateless cookie replies sent to new clients.");

        Meter.CreateObservableCounter("fleetvpn.tunnel.in", () => Tunnel(t => t.ReceivedBytes), "By", "Bytes from clients written into the tun device (decrypted).");
        Meter.CreateObservableCounter("fleetvpn.tunnel.in.packets", () => Tunnel(t => t.ReceivedPackets), "{packet}", "Packets from clients written into the tun device.");
        Meter.CreateObservableCounter("fleetvpn.tunnel.out", () => Tunnel(t => t.TransmittedBytes), "By", "Bytes read from the tun device for clients (before encryption).");
        Meter.CreateObservableCounter("fleetvpn.tunnel.out.packets", () => Tunnel(t => t.TransmittedPackets), "{packet}", "Packets read from the tun device for clients.");

        Meter.CreateObservableGauge("fleetvpn.worker.sessions", () => PerWorker(w => w.SessionCount), "{session}", "Sessions each worker owns.");
        Meter.CreateObservableCounter("fleetvpn.worker.handed_off", () => PerWorker(w => w.HandedOff), "{packet}", "Datagrams a worker received for another worker's client and passed on.");
        Meter.CreateObservableCounter("fleetvpn.worker.send_refused", () => PerWorker(w => w.SendDropped), "{packet}", "Datagrams the kernel refused to send from a worker's batches.");
        Meter.CreateObservableGauge("fleetvpn.socket.receive_queue", () => SocketQueues(q => q.ReceiveQueueBytes), "By", "Bytes waiting in each worker's UDP socket (/proc/net/udp rx_queue).");
        Meter.CreateObservableCounter("fleetvpn.socket.drops", () => SocketQueues(q => q.Drops), "{packet}", "Datagrams the kernel dropped at each worker's full socket (/proc/net/udp drops).");

        Meter.CreateObservableCounter("fleetvpn.kernel.udp.in_errors", () => KernelUdp(c => c.InErrors), "{packet}", "The kernel's UDP InErrors since boot (/proc/net/snmp, snmp6), for the server's network namespace.");
        Meter.CreateObservableCounter("fleetvpn.kernel.udp.rcvbuf_errors", () => KernelUdp(c => c.ReceiveBufferErrors), "{packet}", "The kernel's UDP RcvbufErrors since boot: datagrams dropped at a full receive buffer.");
        Meter.CreateObservableCounter("fleetvpn.kernel.udp.sndbuf_errors", () => KernelUdp(c => c.SendBufferErrors), "{packet}", "The kernel's UDP SndbufErrors since boot: datagrams dropped at a full send buffer.");

        Meter.CreateObservableGauge("fleetvpn.process.resident_memory", () => Environment.WorkingSet, "By", "Resident set size of the process.");
        Meter.CreateObservableGauge("fleetvpn.gc.heap_size", () => GC.GetTotalMemory(forceFullCollection: false), "By", "Managed heap in use (allocated and not yet collected).");
        Meter.CreateObservableGauge("fleetvpn.gc.committed", () => GC.GetGCMemoryInfo().TotalCommittedBytes, "By", "Memory the GC had committed at the last collection (0 before the first).");
        Meter.CreateObservableCounter("fleetvpn.gc.allocated", () => GC.GetTotalAllocatedBytes(), "By", "Managed bytes allocated since the process started.");
        Meter.CreateObservableGauge("fleetvpn.native_heap.in_use", () => NativeHeap.InUseBytes(), "By", "glibc heap in use (OpenSSL's buffers live there); -1 where mallinfo2 is missing.");
        Meter.CreateObservableCounter("fleetvpn.gc.collections", GcCollections, "{collection}", "Garbage collections by generation.");
    }

    public Meter Meter { get; }

    /// <summary>A first handshake finished after <paramref name="elapsedMs"/>.</summary>
    public void RecordHandshake(long elapsedMs) => _handshakeDuration.Record(elapsedMs / 1000.0);

    public void Dispose() => Meter.Dispose();

    /// <summary>The dashboard's totals now (a walk of the session table, as a scrape).</summary>
    public ServerSnapshot Snapshot()
    {
        var c = _server.Counters;
        int connected = ConnectedClients();
        return new ServerSnapshot(ServerContext.UnixSeconds, connected, SessionCount(),
            Interlocked.Read(ref c.HandshakesCompleted), Interlocked.Read(ref c.HandshakesFailed), Disconnects(connected), Drops().Sum(d => d.Value));
    }

    /// <summary>Established sessions, counted on collection by a lock-free walk of the peer-id slots (<see cref="SessionWalk"/>).</summary>
    private int ConnectedClients() => SessionWalk.Established(_server.Sessions);

    /// <summary>Every session record, from the workers' own counts (no lock).</summary>
    private int SessionCount() => _server.Workers.Sum(w => w.SessionCount);

    /// <summary>
    /// Every completed first handshake made one established client, which is either still connected or gone, so
    /// connects minus connected is the disconnects. The two are read one after the other: kept from going back.
    /// </summary>
    private long Disconnects(long connected)
    {
        long gone = Interlocked.Read(ref _server.Counters.HandshakesCompleted) - connected;
        long seen = Interlocked.Read(ref _disconnectsSeen);
        while (gone > seen)
        {
            long before = Interlocked.CompareExchange(ref _disconnectsSeen, gone, seen);
            if (before == seen) return gone;
            seen = before;
        }
        return seen;
    }

    private IEnumerable<Measurement<long>> HandshakeFailures()
    {
        foreach (var reason in Enum.GetValues<HandshakeFailure>())
            yield return new Measurement<long>(_server.Counters.HandshakeFailures(reason), new KeyValuePair<string, object?>("reason", MetricNames.SnakeCase(reason.ToString())));
    }

    private Measurement<long>[] Drops()
    {
        var c = _server.Counters;
        return
        [
            Drop("malformed", ref c.Malformed),
            Drop("wrapper_rejected", ref c.WrapperRejected),
            Drop("unknown_source", ref c.UnknownSource),
            Drop("bad_cookie", ref c.BadCookie),
            Drop("decrypt_failed", ref c.AuthenticationFailed),
            Drop("replayed", ref c.Replayed),
            Drop("spoofed_source", ref c.SpoofedSource),
            Drop("no_route", ref c.NoRoute),
            Drop("unsupported_payload", ref c.UnsupportedPayload),
            Drop("shed", ref c.HandshakesShed),
            Drop("max_clients", ref c.RefusedMaxClients),
            Drop("tls_crypt_v2_key_rejected", ref c.TlsCryptV2KeyRejected),
            Drop("tls_crypt_v2_key_expired", ref c.TlsCryptV2KeyExpired),
            Drop("tls_crypt_v2_without_cookie", ref c.TlsCryptV2WithoutCookie),
            Drop("connect_freq_initial", ref c.InitialRateLimited),
            Drop("connect_freq", ref c.ConnectRateLimited),
            Drop("connect_freq_per_source", ref c.SourceRateLimited),
        ];
    }

    private static Measurement<long> Drop(string reason, ref long counter) =>
        new(Interlocked.Read(ref counter), new KeyValuePair<string, object?>("reason", reason));

    private long Tunnel(Func<InterfaceTraffic, long> select) =>
        InterfaceTraffic.Read(_files, _server.Tun.Name) is { } traffic ? select(traffic) : 0;

    private IEnumerable<Measurement<long>> PerWorker(Func<Engine.Worker, long> select) =>
        _server.Workers.Select(w => new Measurement<long>(select(w), WorkerTag(w.Index))).ToList();

    private IEnumerable<Measurement<long>> SocketQueues(Func<UdpSocketQueues, long> select)
    {
        var sockets = UdpSocketQueues.ReadAll(_files);
        var measurements = new List<Measurement<long>>();
        for (int i = 0; i < _server.Ports.Count; i++)
        {
            if (UdpSocketQueues.InodeOf(_server.Ports[i].Fd) is { } inode && sockets.TryGetValue(inode, out var queues))
                measurements.Add(new Measurement<long>(select(queues), WorkerTag(i)));
        }
        return measurements;
    }

    private IEnumerable<Measurement<long>> KernelUdp(Func<KernelUdpCounters, long> select)
    {
        var measurements = new List<Measurement<long>>(2);
        if (KernelUdpCounters.ReadIPv4(_files) is { } v4) measurements.Add(new Measurement<long>(select(v4), new KeyValuePair<string, object?>("ip", "4")));
        if (KernelUdpCounters.ReadIPv6(_files) is { } v6) measurements.Add(new Measurement<long>(select(v6), new KeyValuePair<string, object?>("ip", "6")));
        return measurements;
    }

    private static IEnumerable<Measurement<long>> GcCollections()
    {
        for (int generation = 0; generation <= GC.MaxGeneration; generation++)
            yield return new Measurement<long>(GC.CollectionCount(generation), new KeyValuePair<string, object?>("generation", generation.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static KeyValuePair<string, object?> WorkerTag(int index) =>
        new("worker", index.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
