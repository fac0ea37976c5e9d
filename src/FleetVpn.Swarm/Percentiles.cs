namespace FleetVpn.Swarm;

/// <summary>Nearest-rank percentiles over a sample set.</summary>
public static class Percentiles
{
    /// <summary>
    /// The nearest-rank <paramref name="percent"/>th percentile of <paramref name="sorted"/> (ascending):
    /// the smallest value with at least <paramref name="percent"/>% of the samples at or below it. 0 for no samples.
    /// </summary>
    public static double Of(IReadOnlyList<double> sorted, double percent)
    {
        if (sorted.Count == 0) return 0;
        if (percent <= 0) return sorted[0];
        if (percent >= 100) return sorted[^1];
        int rank = (int)Math.Ceiling(percent / 100.0 * sorted.Count);
        return sorted[Math.Clamp(rank, 1, sorted.Count) - 1];
    }
}

/// <summary>
/// Latency samples in milliseconds, thread-safe; beyond <see cref="Capacity"/> samples a uniform
/// reservoir (algorithm R) is kept, so memory stays bounded on long runs.
/// </summary>
public sealed class LatencySamples
{
    public const int Capacity = 200_000;
    private readonly List<double> _samples = new();
    private readonly Random _random = new(12345);
    private long _count;
    private double _max;

    public long Count => Interlocked.Read(ref _count);

    public void Add(double milliseconds)
    {
        lock (_samples)
        {
            _count++;
            _max = Math.Max(_max, milliseconds);
            if (_samples.Count < Capacity) _samples.Add(milliseconds);
            else
            {
                long j = _random.NextInt64(_count);
                if (j < Capacity) _samples[(int)j] = milliseconds;
            }
        }
    }

    /// <summary>The given percentiles (and the exact maximum) of everything added so far.</summary>
    public (double[] Values, double Max) Snapshot(params double[] percents)
    {
        List<double> copy;
        double max;
        lock (_samples)
        {
            copy = new List<double>(_samples);
            max = _max;
        }
        copy.Sort();
        return (percents.Select(p => Percentiles.Of(copy, p)).ToArray(), max);
    }
}
