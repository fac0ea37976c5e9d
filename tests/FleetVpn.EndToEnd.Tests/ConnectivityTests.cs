using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using FleetVpn.EndToEnd.Tests.Infrastructure;

namespace FleetVpn.EndToEnd.Tests;

/// <summary>A real openvpn client connects, gets the first pool address, and carries traffic both ways.</summary>
public sealed class ConnectivityTests(E2EFixture env, ITestOutputHelper output) : IClassFixture<E2EFixture>
{
    [Fact]
    public async Task Client_gets_first_pool_address_and_pings_both_ways()
    {
        await using var server = await env.StartServerAsync(output);
        await using var client = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1 });

        // ip -n <cli> addr show <tun>: 10.8.0.2/24; ping 10.8.0.1 from the client namespace; ping 10.8.0.2 from the server's.
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, client, server, Net.FirstClientAddress);
    }

    [Fact]
    public async Task Server_bound_with_local_to_its_address_serves_a_client()
    {
        await using var server = await env.StartServerAsync(output, new ServerConfig { BindLocalAddress = true });
        await using var client = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1 });

        await TunnelAssertions.AssertConnectedAndPingingAsync(env, client, server, Net.FirstClientAddress);
    }

    [Fact]
    public async Task Twenty_megabytes_over_tcp_arrive_intact()
    {
        const int size = 20 * 1024 * 1024;
        const int port = 5001;
        var timeout = TimeSpan.FromSeconds(90);

        await using var server = await env.StartServerAsync(output);
        await using var client = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1 });

        var data = RandomNumberGenerator.GetBytes(size);
        var expected = Convert.ToHexString(SHA256.HashData(data));

        using var cts = new CancellationTokenSource(timeout);
        // Listener on the server's tunnel address, in the server namespace.
        using var listener = NamespaceSockets.Tcp(env.Namespaces.Server);
        listener.Bind(new IPEndPoint(IPAddress.Parse(Net.ServerTunnelAddress), port));
        listener.Listen(1);
        var receiving = ReceiveAndHashAsync(listener, cts.Token);

        // Sender in the client namespace: its only way to 10.8.0.1 is the tunnel.
        var clock = Stopwatch.StartNew();
        using (var sender = NamespaceSockets.Tcp(env.Namespaces.Client))
        {
            await sender.ConnectAsync(new IPEndPoint(IPAddress.Parse(Net.ServerTunnelAddress), port), cts.Token);
            var sent = 0;
            while (sent < size)
                sent += await sender.SendAsync(data.AsMemory(sent, Math.Min(256 * 1024, size - sent)), SocketFlags.None, cts.Token);
            sender.Shutdown(SocketShutdown.Send);
            var (received, hash) = await receiving.WaitAsync(timeout);
            output.WriteLine($"{received} bytes in {clock.Elapsed.TotalSeconds:0.00} s ({received / clock.Elapsed.TotalSeconds / 1e6:0.0} MB/s)");

            Assert.Equal(size, received);
            Assert.Equal(expected, hash);
        }
        Assert.False(server.HasExited, server.Process.Describe());
    }

    private static async Task<(long Received, string Hash)> ReceiveAndHashAsync(Socket listener, CancellationToken cancellation)
    {
        using var connection = await listener.AcceptAsync(cancellation);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[128 * 1024];
        long total = 0;
        while (true)
        {
            var n = await connection.ReceiveAsync(buffer, SocketFlags.None, cancellation);
            if (n == 0) break;
            sha.AppendData(buffer, 0, n);
            total += n;
        }
        return (total, Convert.ToHexString(sha.GetHashAndReset()));
    }
}
