using FleetVpn.Server.Metrics.Dashboard;
using FleetVpn.Server.Routing;

namespace FleetVpn.Server.Metrics;

/// <summary>
/// What the `metrics` listener serves: <c>/metrics</c> (Prometheus), the dashboard at <c>/</c>, and its data at
/// <c>/api/history</c> and <c>/api/clients?q=TEXT</c>, and <c>/health</c> for a load balancer (`fleetvpn lb`). The dashboard names clients (common name, addresses): bind
/// the listener to loopback or a management network.
/// </summary>
public sealed class MetricsSite : IDisposable
{
    private readonly ServerContext _server;
    private readonly ServerMetrics _metrics;
    private readonly PrometheusExporter _exporter;
    private readonly MetricsHistory _history = new();

    public MetricsSite(ServerContext server, ServerMetrics metrics)
    {
        _server = server;
        _metrics = metrics;
        _exporter = new PrometheusExporter(metrics.Meter);
        _history.StartSampling(metrics.Snapshot);
    }

    /// <summary>The answer to a GET of <paramref name="path"/>; null when there is nothing there.</summary>
    public HttpAnswer? Answer(string path, string query) => path switch
    {
        "/metrics" => HttpAnswer.Ok(PrometheusText.ContentType, _exporter.Collect()),
        "/health" => Health(),
        "/" or "/index.html" => HttpAnswer.Ok("text/html; charset=utf-8", DashboardPage.Html),
        "/api/history" => HttpAnswer.Ok(DashboardJson.ContentType, DashboardJson.History(_history, _metrics.Snapshot())),
        "/api/clients" => HttpAnswer.Ok(DashboardJson.ContentType, DashboardJson.Clients(ClientRows(), SearchText(query))),
        _ => null,
    };

    /// <summary>
    /// 200 while the server serves; 503 once it drains (stopping or restarting). Not 503 when max-clients is reached:
    /// a stateless load balancer that dropped a full node would move its connected devices too, not only new ones.
    /// </summary>
    private HttpAnswer Health()
    {
        int clients = _server.Sessions.Count;
        if (_server.Draining) return HttpAnswer.Text("503 Service Unavailable", $"draining {clients} clients\n");
        return HttpAnswer.Text("200 OK", $"ok {clients} clients\n");
    }

    public void Dispose()
    {
        _history.Dispose();
        _exporter.Dispose();
    }

    private List<ClientRow> ClientRows() =>
        SessionWalk.Sessions(_server.Sessions).Select(s => new ClientRow(s.CommonName, ServerContext.Describe(s.RemoteEndPoint),
            s.VirtualAddress == 0 ? "" : AddressPool.ToAddress(s.VirtualAddress).ToString(), s.State.ToString(),
            Interlocked.Read(ref s.BytesReceived), Interlocked.Read(ref s.BytesSent), s.ConnectedSince, s.Owner.Index)).ToList();

    /// <summary>The <c>q</c> parameter of a query string, decoded ('+' is a space); empty when absent.</summary>
    public static string SearchText(string query)
    {
        foreach (var pair in query.Split('&'))
        {
            // A malformed escape (%zz) stays as written: it is then searched for literally.
            if (pair.StartsWith("q=", StringComparison.Ordinal)) return Uri.UnescapeDataString(pair[2..].Replace('+', ' ')).Trim();
        }
        return "";
    }
}
