using System.Collections.Concurrent;

namespace FleetVpn.Swarm;

/// <summary>Counters of a swarm run, updated from many threads.</summary>
public sealed class SwarmStats
{
    private readonly ConcurrentDictionary<string, int> _failures = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _firstDetail = new(StringComparer.Ordinal);
    private long _connectedNow;
    private long _handshakes;
    private long _pingSent;
    private long _pingReceived;
    private long _churned;
    private long _renegotiations;
    private long _controlReplays;
    private long _trafficSent;
    private long _trafficBytes;
    private long _trafficRefused;

    public LatencySamples ConnectMs { get; } = new();
    public LatencySamples RttMs { get; } = new();

    public long ConnectedNow => Interlocked.Read(ref _connectedNow);
    public long Handshakes => Interlocked.Read(ref _handshakes);
    public long PingSent => Interlocked.Read(ref _pingSent);
    public long PingReceived => Interlocked.Read(ref _pingReceived);
    public long Churned => Interlocked.Read(ref _churned);
    public long Renegotiations => Interlocked.Read(ref _renegotiations);

    /// <summary>UDP traffic datagrams sent through the tunnels, their payload bytes, and sends the system refused.</summary>
    public long TrafficSent => Interlocked.Read(ref _trafficSent);
    public long TrafficBytes => Interlocked.Read(ref _trafficBytes);
    public long TrafficRefused => Interlocked.Read(ref _trafficRefused);

    /// <summary>Authentic control packets dropped as replays (tls-auth/tls-crypt packet-id seen before).</summary>
    public long ControlReplays => Interlocked.Read(ref _controlReplays);
    public IReadOnlyDictionary<string, int> Failures => _failures;

    /// <summary>The first detailed message seen for each failure reason.</summary>
    public IReadOnlyDictionary<string, string> FailureDetails => _firstDetail;

    public event Action<string, string>? FirstFailure;

    public void Connected(double milliseconds)
    {
        Interlocked.Increment(ref _connectedNow);
        Interlocked.Increment(ref _handshakes);
        ConnectMs.Add(milliseconds);
    }

    public void Disconnected() => Interlocked.Decrement(ref _connectedNow);

    public void Failure(string reason, string detail)
    {
        _failures.AddOrUpdate(reason, 1, (_, n) => n + 1);
        if (_firstDetail.TryAdd(reason, detail)) FirstFailure?.Invoke(reason, detail);
    }

    public void PingSentOne() => Interlocked.Increment(ref _pingSent);

    public void PingReply(double rttMs)
    {
        Interlocked.Increment(ref _pingReceived);
        RttMs.Add(rttMs);
    }

    public void ChurnedOne() => Interlocked.Increment(ref _churned);

    /// <summary>Connected clients moved to a new source port mid-session (scenario float).</summary>
    public long Floated => Interlocked.Read(ref _floated);
    private long _floated;

    public void FloatedOne() => Interlocked.Increment(ref _floated);

    /// <summary>Handshakes given up half-way, silently (scenario abandon).</summary>
    public long AbandonedHandshakes => Interlocked.Read(ref _abandoned);
    private long _abandoned;

    public void Abandoned() => Interlocked.Increment(ref _abandoned);
    public void Renegotiated() => Interlocked.Increment(ref _renegotiations);
    public void ControlReplayed() => Interlocked.Increment(ref _controlReplays);

    /// <summary>Adds a burst of the traffic sender (counted per burst, not per datagram, to keep the hot loop cheap).</summary>
    public void TrafficBurst(long sent, long payloadBytes, long refused)
    {
        Interlocked.Add(ref _trafficSent, sent);
        Interlocked.Add(ref _trafficBytes, payloadBytes);
        Interlocked.Add(ref _trafficRefused, refused);
    }
}
