using System.Net;
using System.Net.Sockets;
using System.Text;
using FleetVpn.Server.Metrics;

namespace FleetVpn.Server.Tests.Metrics;

/// <summary>The /metrics listener on loopback: the answer to a scrape, and to what is not one.</summary>
public sealed class MetricsHttpEndpointTests
{
    [Fact]
    public async Task Get_metrics_returns_the_text_with_the_Prometheus_content_type()
    {
        await using var endpoint = MetricsHttpEndpoint.Start(new IPEndPoint(IPAddress.Loopback, 0), MetricsOnly(() => "fleetvpn_up 1\n"));
        using var http = new HttpClient();

        using var response = await http.GetAsync($"http://{endpoint.LocalEndPoint}/metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("fleetvpn_up 1\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Each_scrape_collects_anew()
    {
        int scrapes = 0;
        await using var endpoint = MetricsHttpEndpoint.Start(new IPEndPoint(IPAddress.Loopback, 0), MetricsOnly(() => $"scrape {++scrapes}\n"));
        using var http = new HttpClient();

        Assert.Equal("scrape 1\n", await http.GetStringAsync($"http://{endpoint.LocalEndPoint}/metrics"));
        Assert.Equal("scrape 2\n", await http.GetStringAsync($"http://{endpoint.LocalEndPoint}/metrics?x=1"));
    }

    [Fact]
    public async Task Other_paths_and_methods_are_refused()
    {
        await using var endpoint = MetricsHttpEndpoint.Start(new IPEndPoint(IPAddress.Loopback, 0), MetricsOnly(() => "x\n"));
        using var http = new HttpClient();

        using var notFound = await http.GetAsync($"http://{endpoint.LocalEndPoint}/other");
        using var post = await http.PostAsync($"http://{endpoint.LocalEndPoint}/metrics", new StringContent(""));

        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
    }

    [Fact]
    public async Task A_request_that_is_not_HTTP_gets_400()
    {
        await using var endpoint = MetricsHttpEndpoint.Start(new IPEndPoint(IPAddress.Loopback, 0), MetricsOnly(() => "x\n"));
        using var client = new TcpClient();
        await client.ConnectAsync(endpoint.LocalEndPoint);
        var stream = client.GetStream();

        await stream.WriteAsync(Encoding.ASCII.GetBytes("hello\r\n\r\n"));
        var answer = await new StreamReader(stream).ReadToEndAsync();

        Assert.StartsWith("HTTP/1.1 400 Bad Request\r\n", answer);
    }

    [Fact]
    public async Task A_port_in_use_cannot_be_bound()
    {
        await using var first = MetricsHttpEndpoint.Start(new IPEndPoint(IPAddress.Loopback, 0), MetricsOnly(() => "x\n"));

        Assert.Throws<SocketException>(() => MetricsHttpEndpoint.Start(first.LocalEndPoint, MetricsOnly(() => "y\n")));
    }

    private static Func<string, string, HttpAnswer?> MetricsOnly(Func<string> collect) =>
        (path, _) => path == "/metrics" ? HttpAnswer.Ok(PrometheusText.ContentType, collect()) : null;
}
