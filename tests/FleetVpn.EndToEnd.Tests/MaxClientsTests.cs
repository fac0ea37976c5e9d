using FleetVpn.EndToEnd.Tests.Infrastructure;

namespace FleetVpn.EndToEnd.Tests;

/// <summary><c>max-clients 1</c>: a second client is refused and the first keeps working; a max-clients past the pool is warned about.</summary>
public sealed class MaxClientsTests(E2EFixture env, ITestOutputHelper output) : IClassFixture<E2EFixture>
{
    [Fact]
    public async Task Second_client_is_refused_and_the_first_keeps_working()
    {
        await using var server = await env.StartServerAsync(output, new ServerConfig { MaxClients = 1 });
        await using var first = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1, Device = "fvc0" });
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, first, server);

        var logMark = server.Log.Count; // the start-up lines may echo the max-clients setting
        await using var second = env.StartClient(output, new ClientConfig { Identity = env.Pki.Client2, Device = "fvc1" });
        var refusal = await server.Process.WaitForLineAsync(
            l => ServerLogExpectations.IsMaxClientsRefusal(server.Kind, l), TimeSpan.FromSeconds(25), logMark);
        output.WriteLine($"refusal line: {refusal ?? "(none)"}");

        // A wrongly accepted second client would connect within a second or two: give it the chance.
        var connected = await second.Process.WaitForTextAsync(OpenVpnClient.ConnectedLine, TimeSpan.FromSeconds(3));
        Assert.True(connected is null, $"the second client connected despite max-clients 1.\n{second.Process.Describe()}");
        await TunnelAssertions.AssertNotConnectedAsync(env, second);

        Assert.True(refusal is not null, $"the server log does not mention max-clients.\n{server.Process.Describe(150)}");

        await TunnelAssertions.AssertConnectedAndPingingAsync(env, first, server);
    }

    [Fact]
    public async Task Fleetvpn_warns_at_start_up_when_max_clients_exceeds_the_pool()
    {
        // server 10.8.0.0/24: 253 client addresses.
        await using var server = await env.StartServerAsync(output, new ServerConfig { MaxClients = 1000 }, ServerKind.FleetVpn);
        var warning = server.Log.Find(l => l.Contains("WARNING: max-clients 1000 exceeds the 253 addresses of the pool (10.8.0.0/24)", StringComparison.Ordinal));
        Assert.True(warning is not null, $"no pool warning at start-up.\n{server.Process.Describe(40)}");
        await using var client = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1, Device = "fvc0" });
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, client, server);
    }
}
