using System.Net;
using FleetVpn.EndToEnd.Tests.Infrastructure;

namespace FleetVpn.EndToEnd.Tests;

/// <summary>
/// `metrics 127.0.0.1 PORT`: /metrics scraped from inside the server's namespace while real openvpn clients are
/// connected, checked against what the test did: two clients connected, their handshakes counted and timed, bytes
/// into the tunnel growing after a ping, an empty datagram counted as malformed, a client leaving counted as a
/// disconnect. FleetVPN only (the stock server has no such endpoint).
/// </summary>
public sealed class MetricsTests(E2EFixture env, ITestOutputHelper output) : IClassFixture<E2EFixture>
{
    private const int MetricsPort = 9469;
    private static readonly IPEndPoint MetricsEndPoint = new(IPAddress.Loopback, MetricsPort);
    /// <summary>How long a counter may take to show what the server just did (a datagram read, a session closed).</summary>
    private static readonly TimeSpan SettleLimit = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Scraped_values_follow_real_clients_pings_a_malformed_datagram_and_a_disconnect()
    {
        await using var server = await env.StartServerAsync(output,
            new ServerConfig { Extra = [$"metrics 127.0.0.1 {MetricsPort}", "workers 2"] }, ServerKind.FleetVpn);
        Assert.NotNull(server.Log.Find(l => l.Contains($"Prometheus text format at http://127.0.0.1:{MetricsPort}/metrics", StringComparison.Ordinal)));

        var empty = await ScrapeAsync();
        Assert.Equal(0, empty["fleetvpn_clients_connected"]);
        Assert.Equal(2, empty.Samples.Keys.Count(k => k.StartsWith("fleetvpn_worker_sessions{", StringComparison.Ordinal)));

        var secondSide = await env.Namespaces.ClientSideAsync(2);
        await using var client1 = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1 });
        var client2 = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client2, Extra = ["explicit-exit-notify 1"] }, secondSide);
        try
        {
            var connected = await ScrapeUntilAsync(s => s["fleetvpn_clients_connected"] == 2, "2 clients connected");
            output.WriteLine($"/metrics with 2 clients:\n{connected.Text}");
            Assert.True(connected["fleetvpn_handshakes_completed_total"] >= 2, connected.Text);
            Assert.True(connected["fleetvpn_handshakes_started_total"] >= 2, connected.Text);
            Assert.True(connected["fleetvpn_connects_total"] >= 2, connected.Text);
            Assert.Equal(2, connected.Sum("fleetvpn_worker_sessions"));
            Assert.True(connected["fleetvpn_handshake_duration_seconds_count"] >= 2, connected.Text);
            Assert.True(connected["fleetvpn_handshake_duration_seconds_sum"] > 0, connected.Text);
            Assert.Equal(0, connected.Sum("fleetvpn_handshakes_failed_total"));
            Assert.Equal(0, connected["fleetvpn_log_lines_dropped_total"]); // the log queue kept up
            Assert.True(connected["fleetvpn_process_resident_memory_bytes"] > 0, connected.Text);
            Assert.True(connected["fleetvpn_gc_heap_size_bytes"] > 0, connected.Text);
            Assert.Contains("fleetvpn_kernel_udp_rcvbuf_errors_total{ip=\"4\"}", connected.Samples.Keys);
            Assert.Equal(2, connected.Samples.Keys.Count(k => k.StartsWith("fleetvpn_socket_receive_queue_bytes{", StringComparison.Ordinal)));
            Assert.DoesNotContain(connected.Samples.Keys, k => !k.StartsWith("fleetvpn_", StringComparison.Ordinal));

            // 5 echo requests of 84 bytes (IPv4 + ICMP + 56 data) go into the server's tun.
            var ping = await Net.PingAsync(client1.Namespace, Net.ServerTunnelAddress);
            Assert.True(ping.Succeeded, ping.ToString());
            var afterPing = await ScrapeAsync();
            Assert.True(afterPing["fleetvpn_tunnel_in_bytes_total"] >= connected["fleetvpn_tunnel_in_bytes_total"] + 84,
                $"bytes in went from {connected["fleetvpn_tunnel_in_bytes_total"]} to {afterPing["fleetvpn_tunnel_in_bytes_total"]} after a ping");
            Assert.True(afterPing["fleetvpn_tunnel_in_packets_total"] > connected["fleetvpn_tunnel_in_packets_total"], afterPing.Text);
            Assert.True(afterPing["fleetvpn_tunnel_out_packets_total"] > connected["fleetvpn_tunnel_out_packets_total"], afterPing.Text);

            double malformedBefore = afterPing["fleetvpn_drops_total{reason=\"malformed\"}"];
            using (var socket = NamespaceSockets.Udp(env.Namespaces.Client))
                socket.SendTo(Array.Empty<byte>(), new IPEndPoint(IPAddress.Parse(env.Namespaces.ServerAddress), ServerConfig.DefaultPort));
            await ScrapeUntilAsync(s => s["fleetvpn_drops_total{reason=\"malformed\"}"] >= malformedBefore + 1, "the empty datagram counted as malformed");

            await client2.DisposeAsync();
            var afterLeave = await ScrapeUntilAsync(s => s["fleetvpn_clients_connected"] == 1, "1 client connected after client2 left");
            Assert.True(afterLeave["fleetvpn_disconnects_total"] >= 1, afterLeave.Text);
            Assert.Equal(1, afterLeave.Sum("fleetvpn_worker_sessions"));
        }
        finally
        {
            await client2.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_client_with_an_expired_certificate_counts_as_a_handshake_failed_for_its_certificate()
    {
        await using var server = await env.StartServerAsync(output,
            new ServerConfig { Extra = [$"metrics 127.0.0.1 {MetricsPort}"] }, ServerKind.FleetVpn);
        var before = await ScrapeAsync();
        Assert.Equal(0, before.Sum("fleetvpn_handshakes_failed_total"));

        await using var expired = env.StartClient(output, new ClientConfig { Identity = env.Pki.ExpiredClient, Device = "fvbad2" });
        var after = await ScrapeUntilAsync(s => s["fleetvpn_handshakes_failed_total{reason=\"certificate_rejected\"}"] >= 1,
            "the expired certificate counted as certificate_rejected");

        Assert.Equal(0, after["fleetvpn_clients_connected"]);
        Assert.Equal(0, after["fleetvpn_handshakes_failed_total{reason=\"timed_out\"}"]);
        Assert.True(after["fleetvpn_handshakes_started_total"] >= 1, after.Text);
        Assert.Equal(0, after["fleetvpn_handshakes_completed_total"]);
    }

    [Fact]
    public async Task A_client_revoked_by_crl_verify_counts_as_a_handshake_failed_for_its_certificate()
    {
        var crl = Path.Combine(env.TempDirectory, "metrics-crl.pem");
        env.Pki.WriteCrl(crl, env.Pki.Client2);
        await using var server = await env.StartServerAsync(output,
            new ServerConfig { Extra = [$"metrics 127.0.0.1 {MetricsPort}", $"crl-verify {crl}"] }, ServerKind.FleetVpn);

        await using var revoked = env.StartClient(output, new ClientConfig { Identity = env.Pki.Client2, Device = "fvrev0" });
        var after = await ScrapeUntilAsync(s => s["fleetvpn_handshakes_failed_total{reason=\"certificate_rejected\"}"] >= 1,
            "the revoked certificate counted as certificate_rejected");

        Assert.Equal(0, after["fleetvpn_clients_connected"]);
        Assert.Equal(0, after["fleetvpn_handshakes_completed_total"]);
    }

    [Fact]
    public async Task The_dashboard_shows_the_connected_client_in_headless_chromium_with_a_screenshot()
    {
        var chromium = HeadlessChromium.Path; // fails here, before any server starts, when chromium is missing
        output.WriteLine($"chromium: {chromium}");
        await using var server = await env.StartServerAsync(output,
            new ServerConfig { Extra = [$"metrics 127.0.0.1 {MetricsPort}"] }, ServerKind.FleetVpn);
        await using var client = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1 });
        var ping = await Net.PingAsync(client.Namespace, Net.ServerTunnelAddress);
        Assert.True(ping.Succeeded, ping.ToString());
        await ScrapeUntilAsync(s => s["fleetvpn_clients_connected"] == 1, "1 client connected");
        string url = $"http://127.0.0.1:{MetricsPort}/";

        var dom = await HeadlessChromium.DumpDomAsync(env.Namespaces.Server, url);

        Assert.Contains("<div class=\"value\" id=\"connected\">1</div>", dom);
        Assert.Contains("<div id=\"error\"></div>", dom);
        Assert.Matches($"<tr data-cn=\"{env.Pki.Client1.CommonName}\"><td>{env.Pki.Client1.CommonName}</td><td>10\\.77\\.[0-9.]+:[0-9]+</td><td>{Net.FirstClientAddress}</td><td>Established</td>", dom);
        Assert.Matches("<tbody id=\"top-rows\"><tr><td>" + env.Pki.Client1.CommonName + "</td>", dom);
        Assert.Matches("<svg id=\"chart-connected\"[^>]*>.*<(circle|polyline) ", dom);

        var screenshots = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots"));
        var png = Path.Combine(screenshots.FullName, "dashboard.png");
        File.Delete(png);
        await HeadlessChromium.ScreenshotAsync(env.Namespaces.Server, url, png);
        var bytes = await File.ReadAllBytesAsync(png);
        output.WriteLine($"dashboard screenshot: {png} ({bytes.Length} bytes)");
        Assert.True(bytes.Length > 10_000, $"the screenshot is only {bytes.Length} bytes");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
    }

    [Fact]
    public async Task After_a_sigusr1_restart_the_new_run_serves_metrics_on_the_same_port()
    {
        await using var server = await env.StartServerAsync(output,
            new ServerConfig { Extra = [$"metrics 127.0.0.1 {MetricsPort}"] }, ServerKind.FleetVpn);
        await ScrapeAsync();
        Assert.Equal(1, server.Log.Lines.Count(l => l.Contains("Prometheus text format at", StringComparison.Ordinal)));

        Assert.Equal(0, LibC.kill(server.Process.Pid, SignalTests.SIGUSR1));
        var listening = await server.Process.WaitForLineAsync(l => l.Contains("Prometheus text format at", StringComparison.Ordinal),
            SettleLimit, fromLine: server.Log.Lines.ToList().FindIndex(l => l.Contains("Prometheus text format at", StringComparison.Ordinal)) + 1);
        Assert.True(listening is not null, $"the restarted server did not listen for metrics again.\n{server.Process.Describe()}");
        Assert.Null(server.Log.Find(l => l.Contains("metrics: cannot listen", StringComparison.Ordinal)));

        var second = await ScrapeUntilAsync(s => s.Samples.ContainsKey("fleetvpn_clients_connected"), "a scrape of the restarted run");
        Assert.Equal(0, second["fleetvpn_clients_connected"]);
    }

    private async Task<MetricsScrape> ScrapeAsync()
    {
        var scrape = await MetricsScrape.GetAsync(env.Namespaces.Server, MetricsEndPoint);
        output.WriteLine($"scrape: {scrape.Samples.Count} samples, clients {scrape.Samples.GetValueOrDefault("fleetvpn_clients_connected")}");
        return scrape;
    }

    /// <summary>Scrapes every 200 ms until <paramref name="condition"/> holds; fails with the last scrape after <see cref="SettleLimit"/>.</summary>
    private async Task<MetricsScrape> ScrapeUntilAsync(Func<MetricsScrape, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + SettleLimit;
        while (true)
        {
            var scrape = await ScrapeAsync();
            if (condition(scrape)) return scrape;
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"not seen within {SettleLimit.TotalSeconds} s: {what}. Last scrape:\n{scrape.Text}");
            await Task.Delay(200);
        }
    }
}
