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
        await using var server = await env.StartServerAsync(output);
        await using var client = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1 });

        // Listener on the server's tunnel address in the server namespace; the sender in the client
        // namespace, whose only way to 10.8.0.1 is the tunnel.
        var transfer = await TcpTransfer.RunAsync(env.Namespaces.Client, env.Namespaces.Server, Net.ServerTunnelAddress,
            port: 5001, size: 20 * 1024 * 1024, timeout: TimeSpan.FromSeconds(90));
        output.WriteLine(transfer.ToString());

        Assert.Equal(transfer.Sent, transfer.Received);
        Assert.Equal(transfer.SentHash, transfer.ReceivedHash);
        Assert.False(server.HasExited, server.Process.Describe());
    }
}
