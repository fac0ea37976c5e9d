using System.Diagnostics;

namespace FleetVpn.Swarm;

/// <summary>
/// One dedicated thread that sends UDP datagrams through the clients' tunnels (<see cref="SimulatedClient.SendTraffic"/>),
/// walking the clients round-robin and skipping those not connected, at <see cref="SwarmOptions.TrafficPacketsPerSecond"/>
/// for all clients together (a token bucket refilled every millisecond or so), or as fast as it can when that is 0.
/// The engine's 100 ms sweep is far too coarse for tens of thousands of datagrams per second, hence the thread.
/// When the thread cannot keep up, the backlog is capped at 50 ms of datagrams: what it reports is what it sent.
/// </summary>
public sealed class TrafficSender : IDisposable
{
    private const double MaxBacklogSeconds = 0.05;
    private const int UnpacedBurst = 64;
    private readonly IReadOnlyList<SimulatedClient> _clients;
    private readonly SwarmStats _stats;
    private readonly double _packetsPerSecond;
    private readonly int _payloadBytes;
    private readonly Thread _thread;
    private volatile bool _stop;
    private long _startedTicks;
    private long _stoppedTicks;

    public TrafficSender(IReadOnlyList<SimulatedClient> clients, SwarmOptions options, SwarmStats stats)
    {
        _clients = clients;
        _stats = stats;
        _packetsPerSecond = Math.Max(0, options.TrafficPacketsPerSecond);
        _payloadBytes = Math.Max(8, options.PayloadBytes);
        _thread = new Thread(Run) { IsBackground = true, Name = "swarm-traffic" };
    }

    public bool Started { get; private set; }

    /// <summary>When sending began and ended (UTC); null before <see cref="Start"/> / <see cref="Stop"/>.</summary>
    public DateTimeOffset? StartedAt { get; private set; }
    public DateTimeOffset? StoppedAt { get; private set; }

    /// <summary>Seconds between start and stop (or now, while running); 0 when never started.</summary>
    public double Seconds
    {
        get
        {
            long start = Interlocked.Read(ref _startedTicks);
            if (start == 0) return 0;
            long end = Interlocked.Read(ref _stoppedTicks);
            return Stopwatch.GetElapsedTime(start, end == 0 ? Stopwatch.GetTimestamp() : end).TotalSeconds;
        }
    }

    public void Start()
    {
        if (Started) return;
        Started = true;
        StartedAt = DateTimeOffset.UtcNow;
        Interlocked.Exchange(ref _startedTicks, Stopwatch.GetTimestamp());
        _thread.Start();
    }

    /// <summary>Stops sending and waits for the thread (it checks the flag at least every few milliseconds).</summary>
    public void Stop()
    {
        if (!Started || _stop) return;
        _stop = true;
        _thread.Join();
        Interlocked.Exchange(ref _stoppedTicks, Stopwatch.GetTimestamp());
        StoppedAt = DateTimeOffset.UtcNow;
    }

    public void Dispose() => Stop();

    private void Run()
    {
        var clock = Stopwatch.StartNew();
        double allowance = 0;
        double last = 0;
        int next = 0;
        while (!_stop)
        {
            int burst;
            if (_packetsPerSecond > 0)
            {
                double now = clock.Elapsed.TotalSeconds;
                allowance = Math.Min(allowance + (now - last) * _packetsPerSecond, Math.Max(1, _packetsPerSecond * MaxBacklogSeconds));
                last = now;
                burst = (int)allowance;
                if (burst == 0)
                {
                    Thread.Sleep(1);
                    continue;
                }
                allowance -= burst;
            }
            else
            {
                burst = UnpacedBurst;
            }

            long sent = 0, refused = 0;
            int skipped = 0;
            while (sent + refused < burst && skipped < _clients.Count)
            {
                var result = _clients[next].SendTraffic();
                next = next + 1 == _clients.Count ? 0 : next + 1;
                if (result == TrafficSendResult.NotConnected)
                {
                    skipped++;
                    continue;
                }
                skipped = 0;
                if (result == TrafficSendResult.Sent) sent++;
                else refused++;
            }
            _stats.TrafficBurst(sent, sent * _payloadBytes, refused);
            // A whole round without a connected client: wait for one instead of spinning.
            if (skipped >= _clients.Count) Thread.Sleep(10);
        }
    }
}
