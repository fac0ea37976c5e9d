using FleetVpn.EndToEnd.Tests.Infrastructure;

namespace FleetVpn.EndToEnd.Tests;

/// <summary>
/// Clients that offer only a CBC cipher get a CBC + HMAC data channel that carries traffic:
/// AES-256-CBC with SHA256, and AES-128-CBC with SHA1 (the server's <c>auth</c> matches the client's,
/// as OpenVPN 2.6 requires: <c>auth</c> is not negotiated).
/// </summary>
public sealed class CbcDataChannelTests(E2EFixture env, ITestOutputHelper output) : IClassFixture<E2EFixture>
{
    [Theory]
    [InlineData("AES-256-GCM:AES-256-CBC", "AES-256-CBC", "SHA256")]
    [InlineData("AES-256-GCM:AES-128-CBC", "AES-128-CBC", "SHA1")]
    public async Task Cbc_client_gets_that_cipher_with_its_hmac_and_exchanges_traffic(string serverCiphers, string cipher, string auth)
    {
        await using var server = await env.StartServerAsync(output, new ServerConfig
        {
            DataCiphers = serverCiphers,
            Extra = [$"auth {auth}"],
        });
        await using var client = await env.ConnectClientAsync(output, new ClientConfig
        {
            Identity = env.Pki.Client1,
            DataCiphers = cipher,
            Extra = [$"auth {auth}"],
        });

        // The client's own account of its data channel: "Data Channel: cipher 'AES-256-CBC', auth 'SHA256', peer-id: 0".
        var ciphers = ClientLogFacts.DataChannelCiphers(client.Log);
        Assert.True(ciphers.Count > 0, $"the client log names no data-channel cipher.\n{client.Process.Describe()}");
        Assert.All(ciphers, c => Assert.Equal(cipher, c, ignoreCase: true));
        var digests = ClientLogFacts.DataChannelDigests(client.Log);
        Assert.True(digests.Count > 0, $"the client log names no HMAC digest for its data channel.\n{client.Process.Describe()}");
        Assert.All(digests, d => Assert.Equal(auth, d, ignoreCase: true));

        await TunnelAssertions.AssertConnectedAndPingingAsync(env, client, server);
        var transfer = await TcpTransfer.RunAsync(client.Namespace, env.Namespaces.Server, Net.ServerTunnelAddress,
            port: 5003, size: 512 * 1024, timeout: TimeSpan.FromSeconds(30));
        output.WriteLine(transfer.ToString());
        Assert.Equal(transfer.Sent, transfer.Received);
        Assert.Equal(transfer.SentHash, transfer.ReceivedHash);
    }
}
