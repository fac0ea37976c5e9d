using FleetVpn.EndToEnd.Tests.Infrastructure;

namespace FleetVpn.EndToEnd.Tests;

/// <summary>
/// Client A (10.8.0.2, first client namespace) pings client B (10.8.0.3, second client namespace).
/// With client-to-client the server routes the packet between its clients itself, so it works even
/// with ip_forward off in the server's namespace. Without it the server hands the packet to its tun,
/// as OpenVPN documents, and only the kernel can send it back out to B: it needs net.ipv4.ip_forward=1
/// in the server's namespace, and is dropped with 0.
/// </summary>
public sealed class ClientToClientTests(E2EFixture env, ITestOutputHelper output) : IClassFixture<E2EFixture>
{
    private const string AddressA = "10.8.0.2";
    private const string AddressB = "10.8.0.3";

    [Fact]
    public async Task With_client_to_client_clients_reach_each_other_even_with_ip_forward_off()
    {
        await Net.SetIpForwardingAsync(env.Namespaces.Server, on: false);
        await using var server = await env.StartServerAsync(output, new ServerConfig { Extra = ["client-to-client"] });
        var (a, b) = await ConnectBothAsync(server);
        await using var _a = a;
        await using var _b = b;

        var aToB = await Net.PingAsync(a.Namespace, AddressB);
        Assert.True(aToB.Succeeded, $"with client-to-client, A cannot ping B's tunnel address {AddressB}.\n{aToB}\n{server.Process.Describe()}");
        var bToA = await Net.PingAsync(b.Namespace, AddressA);
        Assert.True(bToA.Succeeded, $"with client-to-client, B cannot ping A's tunnel address {AddressA}.\n{bToA}\n{server.Process.Describe()}");
    }

    [Fact]
    public async Task Without_client_to_client_clients_reach_each_other_only_through_the_servers_kernel_forwarding()
    {
        await Net.SetIpForwardingAsync(env.Namespaces.Server, on: false);
        await using var server = await env.StartServerAsync(output);
        var (a, b) = await ConnectBothAsync(server);
        await using var _a = a;
        await using var _b = b;

        // The packet goes to the server's tun; with forwarding off the kernel there drops it.
        var dropped = await Net.PingAsync(a.Namespace, AddressB, count: 2, deadlineSeconds: 3);
        Assert.False(dropped.Succeeded,
            $"without client-to-client and with ip_forward=0 in the server namespace, A still reached B: the server routed it itself.\n{dropped}");

        await Net.SetIpForwardingAsync(env.Namespaces.Server, on: true);
        try
        {
            var aToB = await Net.PingAsync(a.Namespace, AddressB);
            Assert.True(aToB.Succeeded, $"with ip_forward=1, A cannot ping B through the server's tun.\n{aToB}\n{server.Process.Describe()}");
            var bToA = await Net.PingAsync(b.Namespace, AddressA);
            Assert.True(bToA.Succeeded, $"with ip_forward=1, B cannot ping A through the server's tun.\n{bToA}\n{server.Process.Describe()}");
        }
        finally
        {
            await Net.SetIpForwardingAsync(env.Namespaces.Server, on: false);
        }
    }

    /// <summary>A = client1 in the first client namespace, then B = client2 in the second: 10.8.0.2 and 10.8.0.3.</summary>
    private async Task<(OpenVpnClient A, OpenVpnClient B)> ConnectBothAsync(ServerProcess server)
    {
        var secondSide = await env.Namespaces.ClientSideAsync(2);
        var a = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1, Device = "fvc0" });
        try
        {
            var b = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client2, Device = "fvc1" }, secondSide);
            try
            {
                await TunnelAssertions.AssertConnectedAndPingingAsync(env, a, server, AddressA);
                await TunnelAssertions.AssertConnectedAndPingingAsync(env, b, server, AddressB);
                return (a, b);
            }
            catch
            {
                await b.DisposeAsync();
                throw;
            }
        }
        catch
        {
            await a.DisposeAsync();
            throw;
        }
    }
}
