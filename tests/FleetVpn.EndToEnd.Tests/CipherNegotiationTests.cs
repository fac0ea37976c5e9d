using FleetVpn.EndToEnd.Tests.Infrastructure;

namespace FleetVpn.EndToEnd.Tests;

/// <summary>Each data cipher of the server's list is negotiated when the client offers only that one.</summary>
public sealed class CipherNegotiationTests(E2EFixture env, ITestOutputHelper output) : IClassFixture<E2EFixture>
{
    [Theory]
    [InlineData("AES-256-GCM")]
    [InlineData("AES-128-GCM")]
    [InlineData("CHACHA20-POLY1305")]
    public async Task Negotiates_the_only_cipher_the_client_offers(string cipher)
    {
        await using var server = await env.StartServerAsync(output);
        await using var client = await env.ConnectClientAsync(output, new ClientConfig
        {
            Identity = env.Pki.Client1,
            DataCiphers = cipher,
        });

        // openvpn 2.6 at verb 3: "Data Channel: cipher 'X', peer-id: N" and
        // "Outgoing/Incoming Data Channel: Cipher 'X' initialized with N bit key".
        var negotiated = ClientLogFacts.DataChannelCiphers(client.Log);
        Assert.True(negotiated.Count > 0, $"the client log names no data-channel cipher.\n{client.Process.Describe()}");
        Assert.All(negotiated, c => Assert.Equal(cipher, c, ignoreCase: true));

        await TunnelAssertions.AssertConnectedAndPingingAsync(env, client, server);
    }
}
