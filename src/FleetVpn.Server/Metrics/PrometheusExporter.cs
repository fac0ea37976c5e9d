using System.Diagnostics.Metrics;
using System.Text;

namespace FleetVpn.Server.Metrics;

/// <summary>
/// Listens to one <see cref="Meter"/> and writes what it measures in Prometheus' text format on demand.
/// </summary>
/// <remarks>
/// Written here rather than taken from a package: OpenTelemetry's Prometheus exporters exist only as pre-releases,
/// and prometheus-net's MeterAdapter publishes every .NET counter as a Prometheus gauge (no <c>_total</c>, no
/// counter type, so <c>rate()</c> loses its reset handling) and adds series of its own that are not
/// <c>fleetvpn_</c>. The format is small and a <see cref="MeterListener"/> gives every measurement.
/// </remarks>
public sealed class PrometheusExporter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<InstrumentSeries> _series = new();
    private readonly Lock _collecting = new();

    public PrometheusExporter(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter != meter) return;
            var series = new InstrumentSeries(instrument);
            lock (_series) _series.Add(series);
            listener.EnableMeasurementEvents(instrument, series);
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, state) => ((InstrumentSeries)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>((_, value, tags, state) => ((InstrumentSeries)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>((_, value, tags, state) => ((InstrumentSeries)state!).Record(value, tags));
        _listener.Start();
    }

    /// <summary>Collects the observable instruments now and returns every instrument's samples, in the order they were made.</summary>
    public string Collect()
    {
        lock (_collecting)
        {
            List<InstrumentSeries> all;
            lock (_series) all = _series.ToList();
            foreach (var series in all)
                if (series.IsObservable) series.ClearObservations();
            _listener.RecordObservableInstruments();
            var text = new StringBuilder(16 * 1024);
            foreach (var series in all) series.WriteTo(text);
            return text.ToString();
        }
    }

    public void Dispose() => _listener.Dispose();
}
