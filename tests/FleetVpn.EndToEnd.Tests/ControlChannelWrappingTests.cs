using FleetVpn.EndToEnd.Tests.Infrastructure;

namespace FleetVpn.EndToEnd.Tests;

/// <summary>
/// tls-auth and tls-crypt: a client with the server's static key connects, pings and moves 5 MB
/// intact; a client with another tls-auth key never gets a session, and the server only counts
/// its packets, stays up, and still serves a good client.
/// </summary>
public sealed class ControlChannelWrappingTests(E2EFixture env, ITestOutputHelper output) : IClassFixture<E2EFixture>
{
    private const int TransferSize = 5 * 1024 * 1024;
    private const int TransferPort = 5002;

    /// <summary>
    /// Server key-direction 0, client 1. The server's key comes from the file with the direction as
    /// its argument, or (as in most distributed configs) inline with a separate key-direction.
    /// </summary>
    [Theory]
    [InlineData("file")]
    [InlineData("inline")]
    public async Task Tls_auth_client_connects_pings_and_moves_5_MB_intact(string serverKeyForm)
    {
        var key = await env.StaticKeyAsync("tls-auth");
        IReadOnlyList<string> serverTlsAuth = serverKeyForm == "file"
            ? [$"tls-auth {key} 0"]
            : ["key-direction 0", "<tls-auth>", .. File.ReadAllLines(key), "</tls-auth>"];
        await using var server = await env.StartServerAsync(output, new ServerConfig { Extra = serverTlsAuth });
        await using var client = await env.ConnectClientAsync(output, new ClientConfig
        {
            Identity = env.Pki.Client1,
            Extra = [$"tls-auth {key} 1"],
        });

        await AssertCarriesTrafficAsync(server, client);
    }

    [Fact]
    public async Task Tls_crypt_client_connects_pings_and_moves_5_MB_intact()
    {
        var key = await env.StaticKeyAsync("tls-crypt");
        await using var server = await env.StartServerAsync(output, new ServerConfig { Extra = [$"tls-crypt {key}"] });
        await using var client = await env.ConnectClientAsync(output, new ClientConfig
        {
            Identity = env.Pki.Client1,
            Extra = [$"tls-crypt {key}"],
        });

        await AssertCarriesTrafficAsync(server, client);
    }

    [Fact]
    public async Task Client_with_the_wrong_tls_auth_key_never_connects_and_a_good_client_still_does()
    {
        var key = await env.StaticKeyAsync("tls-auth");
        var wrongKey = await env.StaticKeyAsync("tls-auth-wrong");
        await using var server = await env.StartServerAsync(output, new ServerConfig { Extra = [$"tls-auth {key} 0"] });

        var logMark = server.Log.Count;
        await using var bad = env.StartClient(output, new ClientConfig
        {
            Identity = env.Pki.Client2,
            Device = "fvbad0",
            Extra = [$"tls-auth {wrongKey} 1"],
        });
        // The bad client sends its hard reset once a second or so (and retries); a server that took it
        // would answer, and the client would connect, within a second or two.
        var connected = await bad.Process.WaitForTextAsync(OpenVpnClient.ConnectedLine, TimeSpan.FromSeconds(5));
        Assert.True(connected is null, $"a client with the wrong tls-auth key connected.\n{bad.Process.Describe()}");
        await TunnelAssertions.AssertNotConnectedAsync(env, bad);
        Assert.False(server.HasExited, $"the server died on packets with a wrong tls-auth HMAC.\n{server.Process.Describe()}");

        // Nothing of it reaches the server's sessions, and FleetVPN does not log such packets at all.
        var duringBad = server.Log.Lines.Skip(logMark).ToArray();
        var unexpected = duringBad.Where(l => !ServerLogExpectations.MayAppearForWrongWrapperKey(server.Kind, l)).ToArray();
        Assert.True(unexpected.Length == 0,
            "the server logged something for a client with the wrong tls-auth key:\n  " + string.Join("\n  ", unexpected)
            + $"\n{server.Process.Describe()}");
        Assert.DoesNotContain(duringBad, l => ServerLogExpectations.IsSessionStart(server.Kind, l));

        // A good client connects while the bad one keeps trying.
        await using var good = await env.ConnectClientAsync(output, new ClientConfig
        {
            Identity = env.Pki.Client1,
            Extra = [$"tls-auth {key} 1"],
        });
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, good, server);
        await TunnelAssertions.AssertNotConnectedAsync(env, bad);

        // The drops were counted (FleetVPN prints its counters when it stops).
        await bad.StopAsync();
        await server.StopAsync(TimeSpan.FromSeconds(10));
        var evidence = server.Log.Find(l => ServerLogExpectations.IsWrapperRejection(server.Kind, l));
        Assert.True(evidence is not null,
            $"no sign that the server rejected the wrong-key packets: expected {ServerLogExpectations.DescribeWrapperRejection(server.Kind)}.\n"
            + server.Process.Describe(150));
        output.WriteLine($"rejection evidence: {evidence}");
    }

    private async Task AssertCarriesTrafficAsync(ServerProcess server, OpenVpnClient client)
    {
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, client, server);

        var transfer = await TcpTransfer.RunAsync(client.Namespace, env.Namespaces.Server, Net.ServerTunnelAddress,
            TransferPort, TransferSize, TimeSpan.FromSeconds(60));
        output.WriteLine(transfer.ToString());
        Assert.Equal(transfer.Sent, transfer.Received);
        Assert.Equal(transfer.SentHash, transfer.ReceivedHash);
        Assert.False(server.HasExited, server.Process.Describe());
    }
}
