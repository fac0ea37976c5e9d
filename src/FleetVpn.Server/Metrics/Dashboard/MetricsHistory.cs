namespace FleetVpn.Server.Metrics.Dashboard;

/// <summary>
/// The last hour of <see cref="ServerSnapshot"/>s for the dashboard's charts: one every <see cref="Interval"/>, in a
/// ring that keeps the newest <see cref="Capacity"/>. Sampled on a timer of its own, so the charts have their past
/// even when no page was open.
/// </summary>
public sealed class MetricsHistory : IDisposable
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(10);
    public const int DefaultCapacity = 360;

    private readonly ServerSnapshot[] _ring;
    private int _next;
    private int _count;
    private readonly CancellationTokenSource _stop = new();

    public MetricsHistory(int capacity = DefaultCapacity, TimeSpan? interval = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _ring = new ServerSnapshot[capacity];
        Interval = interval ?? DefaultInterval;
    }

    public TimeSpan Interval { get; }
    public int Capacity => _ring.Length;

    /// <summary>Takes a sample now and then every <see cref="Interval"/> until disposed.</summary>
    public void StartSampling(Func<ServerSnapshot> sample)
    {
        Add(sample());
        _ = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(Interval);
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false)) Add(sample());
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    public void Add(ServerSnapshot snapshot)
    {
        lock (_ring)
        {
            _ring[_next] = snapshot;
            _next = (_next + 1) % _ring.Length;
            _count = Math.Min(_count + 1, _ring.Length);
        }
    }

    /// <summary>The samples kept, oldest first.</summary>
    public List<ServerSnapshot> Samples()
    {
        lock (_ring)
        {
            var samples = new List<ServerSnapshot>(_count);
            int first = (_next - _count + _ring.Length) % _ring.Length;
            for (int i = 0; i < _count; i++) samples.Add(_ring[(first + i) % _ring.Length]);
            return samples;
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }
}
