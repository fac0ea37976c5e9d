using System.Text.Json;

namespace FleetVpn.Swarm;

/// <summary>p50/p90/p99/max of a latency distribution in milliseconds, and how many samples it has.</summary>
public sealed record Distribution(double P50, double P90, double P99, double Max, long Count);

/// <summary>The result of a swarm run, written as JSON with <see cref="WriteJson"/>.</summary>
public sealed record SwarmSummary
{
    public int Clients { get; init; }
    public int Connected { get; init; }

    /// <summary>Clients not connected at the end (never connected, or lost and not back).</summary>
    public int Failed { get; init; }
    public int NeverConnected { get; init; }
    public IReadOnlyDictionary<string, int> Failures { get; init; } = new Dictionary<string, int>();
    public required Distribution ConnectMs { get; init; }
    public double HandshakesPerSecond { get; init; }
    public long Handshakes { get; init; }
    public long PingSent { get; init; }
    public long PingReceived { get; init; }
    public int PingClientsAnswered { get; init; }
    public required Distribution RttMs { get; init; }
    public double ElapsedSeconds { get; init; }
    public double RssMegabytes { get; init; }
    public double ManagedMegabytes { get; init; }

    /// <summary>Memory the GC holds from the kernel (live objects, free space, gen0 budget), in MiB.</summary>
    public double GcCommittedMegabytes { get; init; }

    /// <summary>Native heap in use (OpenSSL, the runtime's native parts), in MiB; -1 when unknown.</summary>
    public double NativeHeapMegabytes { get; init; }

    /// <summary>Native heap held but free (fragmentation, arena caches), in MiB; -1 when unknown.</summary>
    public double NativeFreeMegabytes { get; init; }
    public string Scenario { get; init; } = "steady";
    public long Churned { get; init; }
    public long Floated { get; init; }
    public long Abandoned { get; init; }
    public long Renegotiations { get; init; }

    /// <summary>The UDP traffic target (null: no traffic), what the swarm sent there and when (see <see cref="TrafficSender"/>).</summary>
    public string? TrafficTarget { get; init; }
    public long TrafficSent { get; init; }
    public long TrafficPayloadBytes { get; init; }
    public long TrafficRefused { get; init; }
    public double TrafficSeconds { get; init; }
    public DateTimeOffset? TrafficStartedAt { get; init; }
    public DateTimeOffset? TrafficStoppedAt { get; init; }

    public bool Succeeded => Failed == 0 && NeverConnected == 0;

    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("clients", Clients);
            w.WriteNumber("connected", Connected);
            w.WriteNumber("failed", Failed);
            w.WriteNumber("never_connected", NeverConnected);
            w.WriteStartObject("failures");
            foreach (var (reason, count) in Failures) w.WriteNumber(reason, count);
            w.WriteEndObject();
            w.WriteStartObject("connect_ms");
            w.WriteNumber("p50", Math.Round(ConnectMs.P50, 1));
            w.WriteNumber("p90", Math.Round(ConnectMs.P90, 1));
            w.WriteNumber("p99", Math.Round(ConnectMs.P99, 1));
            w.WriteNumber("max", Math.Round(ConnectMs.Max, 1));
            w.WriteNumber("count", ConnectMs.Count);
            w.WriteEndObject();
            w.WriteNumber("handshakes", Handshakes);
            w.WriteNumber("handshakes_per_s", Math.Round(HandshakesPerSecond, 2));
            w.WriteStartObject("ping");
            w.WriteNumber("sent", PingSent);
            w.WriteNumber("received", PingReceived);
            w.WriteNumber("clients_answered", PingClientsAnswered);
            w.WriteStartObject("rtt_ms");
            w.WriteNumber("p50", Math.Round(RttMs.P50, 3));
            w.WriteNumber("p99", Math.Round(RttMs.P99, 3));
            w.WriteNumber("max", Math.Round(RttMs.Max, 3));
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteString("scenario", Scenario);
            w.WriteNumber("churned", Churned);
            w.WriteNumber("floated", Floated);
            w.WriteNumber("abandoned", Abandoned);
            w.WriteNumber("renegotiations", Renegotiations);
            // Offered load: what the swarm handed to the kernel. What the server forwarded is counted at the sink.
            w.WriteStartObject("traffic");
            if (TrafficTarget is null) w.WriteNull("target");
            else w.WriteString("target", TrafficTarget);
            w.WriteNumber("sent", TrafficSent);
            w.WriteNumber("payload_bytes", TrafficPayloadBytes);
            w.WriteNumber("refused", TrafficRefused);
            w.WriteNumber("seconds", Math.Round(TrafficSeconds, 3));
            w.WriteNumber("sent_per_s", TrafficSeconds > 0 ? Math.Round(TrafficSent / TrafficSeconds, 1) : 0);
            w.WriteNumber("started_unix_ms", TrafficStartedAt?.ToUnixTimeMilliseconds() ?? 0);
            w.WriteNumber("stopped_unix_ms", TrafficStoppedAt?.ToUnixTimeMilliseconds() ?? 0);
            w.WriteEndObject();
            w.WriteNumber("elapsed_s", Math.Round(ElapsedSeconds, 2));
            w.WriteNumber("swarm_rss_mb", Math.Round(RssMegabytes, 1));
            w.WriteNumber("swarm_managed_mb", Math.Round(ManagedMegabytes, 1));
            w.WriteNumber("swarm_gc_committed_mb", Math.Round(GcCommittedMegabytes, 1));
            w.WriteNumber("swarm_native_heap_mb", Math.Round(NativeHeapMegabytes, 1));
            w.WriteNumber("swarm_native_free_mb", Math.Round(NativeFreeMegabytes, 1));
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
