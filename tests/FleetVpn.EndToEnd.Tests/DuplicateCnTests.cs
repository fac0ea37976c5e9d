using FleetVpn.EndToEnd.Tests.Infrastructure;

namespace FleetVpn.EndToEnd.Tests;

/// <summary>
/// Two clients with the same certificate, from two client namespaces: without duplicate-cn the newer
/// one replaces the older; with duplicate-cn both are connected at once, each with its own address.
/// </summary>
public sealed class DuplicateCnTests(E2EFixture env, ITestOutputHelper output) : IClassFixture<E2EFixture>
{
    [Fact]
    public async Task Without_duplicate_cn_the_second_client_replaces_the_first()
    {
        var secondSide = await env.Namespaces.ClientSideAsync(2);
        await using var server = await env.StartServerAsync(output);
        await using var first = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1, Device = "fvc0" });
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, first, server, Net.FirstClientAddress);

        var logMark = server.Log.Count;
        await using var second = await env.ConnectClientAsync(output,
            new ClientConfig { Identity = env.Pki.Client1, Device = "fvc1" }, secondSide);

        var replaced = await server.Process.WaitForLineAsync(
            l => ServerLogExpectations.IsDuplicateCnReplacement(server.Kind, env.Pki.Client1.CommonName, l), TimeSpan.FromSeconds(5), logMark);
        Assert.True(replaced is not null, $"the server log does not say that the first {env.Pki.Client1.CommonName} was replaced.\n"
                                          + server.Process.Describe());
        output.WriteLine($"server: {replaced}");

        // The newer client works (whichever pool address it got) ...
        var secondAddress = await Net.TunnelAddressAsync(second.Namespace, second.Device);
        Assert.True(secondAddress is not null, $"the second client has no tunnel address.\n{second.Process.Describe()}");
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, second, server, secondAddress!);

        // ... and the older one's session is gone: its packets no longer reach the server.
        var oldPing = await Net.PingAsync(first.Namespace, Net.ServerTunnelAddress, count: 2, deadlineSeconds: 3);
        Assert.False(oldPing.Succeeded, $"the replaced client still pings the server through the tunnel.\n{oldPing}\n{server.Process.Describe()}");
    }

    [Fact]
    public async Task With_duplicate_cn_both_clients_get_their_own_address_and_ping_the_server()
    {
        var secondSide = await env.Namespaces.ClientSideAsync(2);
        await using var server = await env.StartServerAsync(output, new ServerConfig { Extra = ["duplicate-cn"] });
        await using var first = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1, Device = "fvc0" });
        await using var second = await env.ConnectClientAsync(output,
            new ClientConfig { Identity = env.Pki.Client1, Device = "fvc1" }, secondSide);

        await TunnelAssertions.AssertConnectedAndPingingAsync(env, first, server, "10.8.0.2");
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, second, server, "10.8.0.3");
        Assert.Null(server.Log.Find(l => ServerLogExpectations.IsDuplicateCnReplacement(server.Kind, env.Pki.Client1.CommonName, l)));
    }
}
