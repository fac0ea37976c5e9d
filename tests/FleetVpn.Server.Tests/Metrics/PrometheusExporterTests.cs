using System.Diagnostics.Metrics;
using FleetVpn.Server.Metrics;

namespace FleetVpn.Server.Tests.Metrics;

/// <summary>The text exposition of a meter's instruments: names, types, labels, histograms.</summary>
public sealed class PrometheusExporterTests
{
    [Fact]
    public void An_observable_counter_is_a_counter_ending_in_total_with_one_sample_per_label_set()
    {
        using var meter = new Meter("test.counter");
        long malformed = 3, replayed = 0;
        meter.CreateObservableCounter("fleetvpn.drops", () => new[]
        {
            new Measurement<long>(malformed, new KeyValuePair<string, object?>("reason", "malformed")),
            new Measurement<long>(replayed, new KeyValuePair<string, object?>("reason", "replayed")),
        }, "{packet}", "Datagrams dropped, by reason.");
        using var exporter = new PrometheusExporter(meter);

        Assert.Equal("""
            # HELP fleetvpn_drops_total Datagrams dropped, by reason.
            # TYPE fleetvpn_drops_total counter
            fleetvpn_drops_total{reason="malformed"} 3
            fleetvpn_drops_total{reason="replayed"} 0

            """.ReplaceLineEndings("\n"), exporter.Collect());
    }

    [Fact]
    public void Observables_are_read_at_each_collection()
    {
        using var meter = new Meter("test.gauge");
        int clients = 2;
        meter.CreateObservableGauge("fleetvpn.clients.connected", () => clients, "{client}", "Connected.");
        using var exporter = new PrometheusExporter(meter);

        Assert.Contains("fleetvpn_clients_connected 2\n", exporter.Collect());
        clients = 5;
        Assert.Contains("fleetvpn_clients_connected 5\n", exporter.Collect());
        Assert.Contains("# TYPE fleetvpn_clients_connected gauge\n", exporter.Collect());
    }

    [Fact]
    public void Units_become_suffixes()
    {
        using var meter = new Meter("test.units");
        meter.CreateObservableCounter("fleetvpn.tunnel.in", () => 1500L, "By", "Bytes in.");
        meter.CreateObservableGauge("fleetvpn.socket.receive_queue", () => 0L, "By", "Queue.");
        using var exporter = new PrometheusExporter(meter);

        var text = exporter.Collect();

        Assert.Contains("fleetvpn_tunnel_in_bytes_total 1500\n", text);
        Assert.Contains("fleetvpn_socket_receive_queue_bytes 0\n", text);
    }

    [Fact]
    public void A_histogram_writes_cumulative_buckets_with_its_advised_bounds_then_sum_and_count()
    {
        using var meter = new Meter("test.histogram");
        var histogram = meter.CreateHistogram("fleetvpn.handshake.duration", "s", "Handshake latency.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 1] });
        using var exporter = new PrometheusExporter(meter);

        histogram.Record(0.05);
        histogram.Record(0.1);
        histogram.Record(0.5);
        histogram.Record(3);

        Assert.Equal("""
            # HELP fleetvpn_handshake_duration_seconds Handshake latency.
            # TYPE fleetvpn_handshake_duration_seconds histogram
            fleetvpn_handshake_duration_seconds_bucket{le="0.1"} 2
            fleetvpn_handshake_duration_seconds_bucket{le="1"} 3
            fleetvpn_handshake_duration_seconds_bucket{le="+Inf"} 4
            fleetvpn_handshake_duration_seconds_sum 3.65
            fleetvpn_handshake_duration_seconds_count 4

            """.ReplaceLineEndings("\n"), exporter.Collect());
    }

    [Fact]
    public void A_histogram_without_observations_shows_zero_buckets()
    {
        using var meter = new Meter("test.empty-histogram");
        meter.CreateHistogram("fleetvpn.handshake.duration", "s", "Latency.", tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1] });
        using var exporter = new PrometheusExporter(meter);

        var text = exporter.Collect();

        Assert.Contains("fleetvpn_handshake_duration_seconds_bucket{le=\"+Inf\"} 0\n", text);
        Assert.Contains("fleetvpn_handshake_duration_seconds_count 0\n", text);
    }

    [Fact]
    public void Label_values_and_help_are_escaped_and_labels_sorted_by_name()
    {
        using var meter = new Meter("test.escape");
        meter.CreateObservableGauge("fleetvpn.odd", () => new Measurement<int>(1,
            new KeyValuePair<string, object?>("z", "a\"b\\c\nd"), new KeyValuePair<string, object?>("a", "x")), null, "two\nlines \\ here");
        using var exporter = new PrometheusExporter(meter);

        var text = exporter.Collect();

        Assert.Contains("# HELP fleetvpn_odd two\\nlines \\\\ here\n", text);
        Assert.Contains("fleetvpn_odd{a=\"x\",z=\"a\\\"b\\\\c\\nd\"} 1\n", text);
    }

    [Fact]
    public void Instruments_of_other_meters_are_left_out()
    {
        using var ours = new Meter("test.ours");
        using var other = new Meter("test.other");
        ours.CreateObservableGauge("fleetvpn.ours", () => 1);
        other.CreateObservableGauge("other.gauge", () => 1);
        using var exporter = new PrometheusExporter(ours);

        var text = exporter.Collect();

        Assert.Contains("fleetvpn_ours 1\n", text);
        Assert.DoesNotContain("other", text);
    }

    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(42.0, "42")]
    [InlineData(-7.0, "-7")]
    [InlineData(0.25, "0.25")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NaN, "NaN")]
    public void Numbers_are_written_as_Prometheus_reads_them(double value, string text)
    {
        Assert.Equal(text, PrometheusText.Number(value));
    }
}
