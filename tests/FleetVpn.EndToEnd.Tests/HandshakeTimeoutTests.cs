using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using FleetVpn.EndToEnd.Tests.Infrastructure;

namespace FleetVpn.EndToEnd.Tests;

/// <summary>
/// A client that passes the cookie exchange and then never finishes its TLS handshake: the server closes the session
/// when hand-window runs out, counts the failure, and the session record is gone (its memory with it).
/// </summary>
public sealed class HandshakeTimeoutTests(E2EFixture env, ITestOutputHelper output) : IClassFixture<E2EFixture>
{
    private const int MetricsPort = 9471;
    private const int HandWindowSeconds = 5;
    private const byte HardResetClient = 7 << 3, HardResetServer = 8 << 3, ControlV1 = 4 << 3;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_handshake_that_never_finishes_is_closed_after_hand_window_and_its_session_freed()
    {
        await using var server = await env.StartServerAsync(output,
            new ServerConfig { Extra = [$"hand-window {HandWindowSeconds}", $"metrics 127.0.0.1 {MetricsPort}"] }, ServerKind.FleetVpn);
        var target = new IPEndPoint(IPAddress.Parse(env.Namespaces.ServerAddress), ServerConfig.DefaultPort);
        using var socket = NamespaceSockets.Udp(env.Namespaces.Client);
        socket.ReceiveTimeout = 5000;

        var own = new byte[8];
        RandomNumberGenerator.Fill(own);
        own[0] |= 1;
        socket.SendTo([HardResetClient, .. own, 0, 0, 0, 0, 0], target);
        var reply = new byte[2048];
        int n = socket.Receive(reply);
        Assert.True(n >= 9 && reply[0] == HardResetServer, $"expected the server's reset, got {Convert.ToHexString(reply, 0, n)}");
        var cookie = reply.AsSpan(1, 8).ToArray();

        // Message 1 echoes the cookie and acknowledges the server's reset; its payload is the header of a TLS record
        // whose 64 bytes never come. Then the client says nothing more.
        byte[] start = [ControlV1, .. own, 1, 0, 0, 0, 0, .. cookie, 0, 0, 0, 1, 0x16, 0x03, 0x01, 0x00, 0x40];
        socket.SendTo(start, target);

        await WaitForAsync(async () => (await ScrapeAsync())["fleetvpn_sessions"] == 1, "the half-done session to exist", server);
        var clock = Stopwatch.StartNew();
        await WaitForAsync(() => Task.FromResult(server.Log.Contains($"did not complete within hand-window {HandWindowSeconds}s")),
            "the server to close the handshake at hand-window", server);
        output.WriteLine($"closed {clock.Elapsed.TotalSeconds:0.0} s after the session was seen");

        var scrape = await ScrapeAsync();
        Assert.Equal(0, scrape["fleetvpn_sessions"]);
        Assert.Equal(0, scrape["fleetvpn_clients_connected"]);
        Assert.Equal(1, scrape["fleetvpn_handshakes_started_total"]);
        Assert.True(scrape.Sum("fleetvpn_handshakes_failed_total") >= 1, $"no handshake failure counted:\n{scrape.Text}");
    }

    private async Task<MetricsScrape> ScrapeAsync() =>
        await MetricsScrape.GetAsync(env.Namespaces.Server, new IPEndPoint(IPAddress.Loopback, MetricsPort));

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what, ServerProcess server)
    {
        var deadline = DateTime.UtcNow + Limit;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out waiting for {what}.\n{server.Process.Describe()}");
            await Task.Delay(200);
        }
    }
}
