using System.Text.Json;
using FleetVpn.Server.Metrics;
using FleetVpn.Server.Metrics.Dashboard;

namespace FleetVpn.Server.Tests.Metrics;

/// <summary>The dashboard's page and data: the history ring, the client search and top talkers, the page needing nothing from outside.</summary>
public sealed class DashboardTests
{
    [Fact]
    public void The_history_keeps_the_newest_samples_oldest_first()
    {
        using var history = new MetricsHistory(capacity: 3);
        for (int i = 1; i <= 5; i++) history.Add(Snapshot(t: i, connected: i * 10));

        Assert.Equal([3L, 4L, 5L], history.Samples().Select(s => s.UnixSeconds));
    }

    [Fact]
    public void The_history_json_ends_with_the_sample_of_now()
    {
        using var history = new MetricsHistory(capacity: 10, interval: TimeSpan.FromSeconds(10));
        history.Add(Snapshot(t: 100, connected: 1));

        using var json = JsonDocument.Parse(DashboardJson.History(history, Snapshot(t: 105, connected: 2, drops: 7)));

        Assert.Equal(10, json.RootElement.GetProperty("intervalSeconds").GetDouble());
        var samples = json.RootElement.GetProperty("samples").EnumerateArray().ToList();
        Assert.Equal(2, samples.Count);
        Assert.Equal(105, samples[1].GetProperty("t").GetInt64());
        Assert.Equal(2, samples[1].GetProperty("connected").GetInt32());
        Assert.Equal(7, samples[1].GetProperty("drops").GetInt64());
    }

    [Fact]
    public void Clients_are_searched_by_name_or_address_and_top_talkers_are_over_all_clients()
    {
        var rows = new[]
        {
            Row("device-002", "10.77.0.2:5000", "10.8.0.3", bytesIn: 100, bytesOut: 0),
            Row("device-001", "10.77.0.3:6000", "10.8.0.2", bytesIn: 50, bytesOut: 5000),
            Row("gateway-9", "192.0.2.7:1194", "10.8.0.4", bytesIn: 1, bytesOut: 1),
        };

        using var byName = JsonDocument.Parse(DashboardJson.Clients(rows, "DEVICE"));
        using var byAddress = JsonDocument.Parse(DashboardJson.Clients(rows, "192.0.2"));

        Assert.Equal(3, byName.RootElement.GetProperty("total").GetInt32());
        Assert.Equal(2, byName.RootElement.GetProperty("matched").GetInt32());
        Assert.Equal(["device-001", "device-002"], Names(byName, "clients"));
        Assert.Equal(["device-001", "device-002", "gateway-9"], Names(byName, "top"));
        Assert.Equal(["gateway-9"], Names(byAddress, "clients"));
    }

    [Fact]
    public void At_most_the_row_limit_is_sent_but_all_matches_are_counted()
    {
        var rows = Enumerable.Range(0, DashboardJson.MaxRows + 50).Select(i => Row($"d{i:D4}", $"10.0.0.1:{i}", "", 0, 0)).ToList();

        using var json = JsonDocument.Parse(DashboardJson.Clients(rows, ""));

        Assert.Equal(DashboardJson.MaxRows + 50, json.RootElement.GetProperty("matched").GetInt32());
        Assert.Equal(DashboardJson.MaxRows, json.RootElement.GetProperty("clients").GetArrayLength());
        Assert.Equal(DashboardJson.TopTalkers, json.RootElement.GetProperty("top").GetArrayLength());
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("q=device-1", "device-1")]
    [InlineData("x=1&q=10.8.0.2+", "10.8.0.2")]
    [InlineData("q=a%20b", "a b")]
    [InlineData("q=%zz", "%zz")]
    public void The_search_text_comes_from_the_q_parameter(string query, string expected)
    {
        Assert.Equal(expected, MetricsSite.SearchText(query));
    }

    [Fact]
    public void The_page_is_embedded_and_loads_nothing_from_outside()
    {
        var html = DashboardPage.Html;

        Assert.Contains("<svg id=\"chart-connected\">", html);
        Assert.Contains("/api/history", html);
        Assert.Contains("/api/clients", html);
        Assert.DoesNotContain("<script src", html);
        Assert.DoesNotContain("<link", html);
        Assert.DoesNotContain("https://", html);
        Assert.DoesNotContain("@import", html);
    }

    private static ServerSnapshot Snapshot(long t, int connected, long drops = 0) => new(t, connected, connected, connected, 0, 0, drops);

    private static ClientRow Row(string cn, string real, string @virtual, long bytesIn, long bytesOut) =>
        new(cn, real, @virtual, "Established", bytesIn, bytesOut, new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), 0);

    private static List<string> Names(JsonDocument json, string array) =>
        json.RootElement.GetProperty(array).EnumerateArray().Select(c => c.GetProperty("cn").GetString()!).ToList();
}
