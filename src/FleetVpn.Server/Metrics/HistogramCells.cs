namespace FleetVpn.Server.Metrics;

/// <summary>One label set of a histogram: observations per bucket (not cumulative), their sum and count.</summary>
internal sealed class HistogramCells
{
    private readonly IReadOnlyList<double> _bounds;
    private readonly long[] _counts;
    private double _sum;
    private long _count;

    public HistogramCells(IReadOnlyList<double> bounds)
    {
        _bounds = bounds;
        _counts = new long[bounds.Count + 1]; // the last one is +Inf
    }

    public void Observe(double value)
    {
        int bucket = 0;
        while (bucket < _bounds.Count && value > _bounds[bucket]) bucket++;
        lock (_counts)
        {
            _counts[bucket]++;
            _sum += value;
            _count++;
        }
    }

    /// <summary>The cumulative buckets (upper bound, observations at or below it) ending with +Inf, then the sum and count.</summary>
    public (List<(double UpperBound, long Count)> Buckets, double Sum, long Count) Snapshot()
    {
        lock (_counts)
        {
            var buckets = new List<(double, long)>(_counts.Length);
            long cumulative = 0;
            for (int i = 0; i < _counts.Length; i++)
            {
                cumulative += _counts[i];
                buckets.Add((i < _bounds.Count ? _bounds[i] : double.PositiveInfinity, cumulative));
            }
            return (buckets, _sum, _count);
        }
    }
}
