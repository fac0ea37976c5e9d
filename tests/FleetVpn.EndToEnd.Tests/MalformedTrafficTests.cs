using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using FleetVpn.EndToEnd.Tests.Infrastructure;

namespace FleetVpn.EndToEnd.Tests;

/// <summary>Garbage on the server's UDP port does not stop it from serving a real client.</summary>
public sealed class MalformedTrafficTests(E2EFixture env, ITestOutputHelper output) : IClassFixture<E2EFixture>
{
    private const int DatagramCount = 10_000;
    private const int SourceSockets = 8;
    private static readonly TimeSpan FloodTimeLimit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Ten_thousand_random_and_truncated_datagrams_then_a_real_client_connects()
    {
        await using var server = await env.StartServerAsync(output);

        var seed = E2ESettings.Seed ?? Random.Shared.Next();
        output.WriteLine($"malformed datagrams: seed {seed} (rerun with FLEETVPN_E2E_SEED={seed})");
        var target = new IPEndPoint(IPAddress.Parse(env.Namespaces.ServerAddress), ServerConfig.DefaultPort);

        // Sent from the client namespace, from several source ports, bounded in count and time.
        var sockets = Enumerable.Range(0, SourceSockets).Select(_ => NamespaceSockets.Udp(env.Namespaces.Client)).ToArray();
        int sent, empty = 0;
        var clock = Stopwatch.StartNew();
        try
        {
            var datagrams = new MalformedDatagrams(seed);
            for (sent = 0; sent < DatagramCount && clock.Elapsed < FloodTimeLimit; sent++)
            {
                var datagram = datagrams.Next();
                if (datagram.Length == 0) empty++;
                SendWithRetry(sockets[sent % SourceSockets], datagram, target);
                if (sent % 250 == 249) await Task.Delay(2); // let the server read rather than overflow its buffer
            }
        }
        finally
        {
            foreach (var s in sockets) s.Dispose();
        }
        output.WriteLine($"sent {sent} datagrams ({empty} empty) in {clock.Elapsed.TotalSeconds:0.00} s");
        Assert.Equal(DatagramCount, sent);

        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.False(server.HasExited, $"the server died under malformed datagrams.\n{server.Process.Describe()}");

        await using var client = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1 });
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, client, server);
    }

    private static void SendWithRetry(Socket socket, byte[] datagram, IPEndPoint target)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                socket.SendTo(datagram, target);
                return;
            }
            catch (SocketException e) when (attempt < 50 && e.SocketErrorCode is SocketError.NoBufferSpaceAvailable
                                                or SocketError.WouldBlock or SocketError.ConnectionRefused)
            {
                Thread.Sleep(1);
            }
        }
    }
}
