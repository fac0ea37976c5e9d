using System.Diagnostics.Metrics;
using System.Text;

namespace FleetVpn.Server.Metrics;

/// <summary>
/// What one instrument measured, by label set, and how it is written in Prometheus' text format: observable
/// instruments keep the values of the latest collection, a histogram accumulates its observations.
/// </summary>
internal sealed class InstrumentSeries
{
    /// <summary>Prometheus' default buckets, for a histogram that gives no advice.</summary>
    private static readonly double[] DefaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Dictionary<string, double> _values = new();
    private readonly Dictionary<string, HistogramCells> _histograms = new();
    private readonly IReadOnlyList<double> _bounds = DefaultBuckets;

    public InstrumentSeries(Instrument instrument)
    {
        Name = MetricNames.For(instrument);
        Help = instrument.Description ?? instrument.Name;
        IsHistogram = instrument is Histogram<double> or Histogram<long> or Histogram<int>;
        IsObservable = instrument.IsObservable;
        Type = IsHistogram ? "histogram" : MetricNames.IsCounter(instrument) ? "counter" : "gauge";
        if (instrument is Histogram<double> { Advice.HistogramBucketBoundaries: { } bounds }) _bounds = bounds;
        // An unlabelled histogram shows its zero buckets before the first observation.
        if (IsHistogram) _histograms[""] = new HistogramCells(_bounds);
    }

    public string Name { get; }
    public string Help { get; }
    public string Type { get; }
    public bool IsHistogram { get; }
    public bool IsObservable { get; }

    /// <summary>Forgets the previous collection's values (an observable reports all its label sets each time).</summary>
    public void ClearObservations()
    {
        lock (_values) _values.Clear();
    }

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string labels = PrometheusText.Labels(tags);
        if (IsHistogram)
        {
            HistogramCells cells;
            lock (_histograms)
            {
                if (!_histograms.TryGetValue(labels, out cells!)) _histograms[labels] = cells = new HistogramCells(_bounds);
            }
            cells.Observe(value);
            return;
        }
        lock (_values)
        {
            // A non-observable counter or up-down counter reports increments; an observable its current value.
            _values[labels] = IsObservable ? value : _values.GetValueOrDefault(labels) + value;
        }
    }

    public void WriteTo(StringBuilder text)
    {
        text.Append("# HELP ").Append(Name).Append(' ').Append(PrometheusText.EscapeHelp(Help)).Append('\n');
        text.Append("# TYPE ").Append(Name).Append(' ').Append(Type).Append('\n');
        if (IsHistogram)
        {
            WriteHistograms(text);
            return;
        }
        lock (_values)
        {
            foreach (var (labels, value) in _values.OrderBy(v => v.Key, StringComparer.Ordinal))
                Sample(text, Name, labels, value);
        }
    }

    private void WriteHistograms(StringBuilder text)
    {
        List<KeyValuePair<string, HistogramCells>> all;
        lock (_histograms) all = _histograms.OrderBy(h => h.Key, StringComparer.Ordinal).ToList();
        foreach (var (labels, cells) in all)
        {
            var (buckets, sum, count) = cells.Snapshot();
            foreach (var (upperBound, cumulative) in buckets)
                Sample(text, Name + "_bucket", PrometheusText.WithLabel(labels, "le", PrometheusText.Number(upperBound)), cumulative);
            Sample(text, Name + "_sum", labels, sum);
            Sample(text, Name + "_count", labels, count);
        }
    }

    private static void Sample(StringBuilder text, string name, string labels, double value)
    {
        text.Append(name);
        if (labels.Length > 0) text.Append('{').Append(labels).Append('}');
        text.Append(' ').Append(PrometheusText.Number(value)).Append('\n');
    }
}
