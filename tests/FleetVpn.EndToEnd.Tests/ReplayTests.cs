using System.Net;
using FleetVpn.EndToEnd.Tests.Infrastructure;

namespace FleetVpn.EndToEnd.Tests;

/// <summary>
/// Replays on both channels: a real openvpn client's tls-crypt control packet and one of its data packets, captured on
/// the client's side and sent again byte for byte from its own address and port after it connected, are dropped and
/// counted as replays; the client's tunnel goes on working.
/// </summary>
public sealed class ReplayTests(E2EFixture env, ITestOutputHelper output) : IClassFixture<E2EFixture>
{
    private const int MetricsPort = 9472;
    private const string ReplayedDrops = "fleetvpn_drops_total{reason=\"replayed\"}";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_replayed_control_packet_and_a_replayed_data_packet_are_dropped_and_counted()
    {
        var key = await env.StaticKeyAsync("tls-crypt");
        await using var server = await env.StartServerAsync(output,
            new ServerConfig { Extra = [$"tls-crypt {key}", $"metrics 127.0.0.1 {MetricsPort}"] }, ServerKind.FleetVpn);
        byte[] control, data;
        OpenVpnClient client;
        using (var capture = new UdpCapture(env.Namespaces.Client, ServerConfig.DefaultPort))
        {
            client = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1, Extra = [$"tls-crypt {key}"] });
            await TunnelAssertions.AssertConnectedAndPingingAsync(env, client, server);
            var packets = capture.Packets;
            output.WriteLine($"captured {packets.Count} datagrams to the server");
            // P_CONTROL_V1 (4) of key-id 0 (the client's TLS flight) and P_DATA_V2 (9).
            control = packets.First(p => UdpCapture.Payload(p)[0] == 4 << 3);
            data = packets.First(p => UdpCapture.Payload(p)[0] >> 3 == 9);
        }
        await using var _ = client;
        double before = (await ScrapeAsync())[ReplayedDrops];

        UdpCapture.Inject(env.Namespaces.Client, control);
        await WaitForReplayedAsync(before + 1, "the replayed control packet", server);
        UdpCapture.Inject(env.Namespaces.Client, data);
        await WaitForReplayedAsync(before + 2, "the replayed data packet", server);

        await TunnelAssertions.AssertConnectedAndPingingAsync(env, client, server);
        Assert.Null(server.Log.Find(l => l.Contains("disconnected", StringComparison.Ordinal)));
    }

    private async Task<MetricsScrape> ScrapeAsync() =>
        await MetricsScrape.GetAsync(env.Namespaces.Server, new IPEndPoint(IPAddress.Loopback, MetricsPort));

    private async Task WaitForReplayedAsync(double expected, string what, ServerProcess server)
    {
        var deadline = DateTime.UtcNow + Limit;
        while (true)
        {
            var scrape = await ScrapeAsync();
            double replayed = scrape[ReplayedDrops];
            if (replayed >= expected)
            {
                Assert.Equal(expected, replayed);
                return;
            }
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"{what} was not counted as a replay (replayed drops {replayed}, expected {expected}).\n{server.Process.Describe()}");
            await Task.Delay(200);
        }
    }
}
