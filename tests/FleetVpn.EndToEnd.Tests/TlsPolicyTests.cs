using FleetVpn.EndToEnd.Tests.Infrastructure;

namespace FleetVpn.EndToEnd.Tests;

/// <summary>
/// The server's TLS policy as the real openvpn client sees it: <c>tls-version-min</c>, <c>tls-cipher</c> and
/// <c>tls-ciphersuites</c> decide what is negotiated, and the client's <c>verify-x509-name</c> holds against the server's certificate.
/// </summary>
public sealed class TlsPolicyTests(E2EFixture env, ITestOutputHelper output) : IClassFixture<E2EFixture>
{
    [Fact]
    public async Task Tls_version_min_1_3_refuses_a_tls_1_2_client_and_serves_a_default_one()
    {
        await using var server = await env.StartServerAsync(output, new ServerConfig { Extra = ["tls-version-min 1.3"] });
        await using var old = env.StartClient(output, new ClientConfig { Identity = env.Pki.Client2, Device = "fvold0", Extra = ["tls-version-max 1.2", "hand-window 5"] });
        await using var modern = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1, Device = "fvc0" });

        await TunnelAssertions.AssertConnectedAndPingingAsync(env, modern, server);
        Assert.True(modern.Log.Find(l => l.Contains("Control Channel: TLSv1.3", StringComparison.Ordinal)) is not null,
            $"the default client did not report a TLS 1.3 control channel.\n{modern.Process.Describe()}");

        var failure = await old.Process.WaitForLineAsync(RevocationTests.IsTlsFailure, TimeSpan.FromSeconds(25));
        Assert.True(failure is not null, $"the TLS 1.2 client's log shows no TLS failure.\n{old.Process.Describe()}");
        output.WriteLine($"TLS 1.2 client: {failure}");
        await TunnelAssertions.AssertNotConnectedAsync(env, old);
    }

    [Fact]
    public async Task Tls_cipher_and_tls_ciphersuites_decide_the_suite_the_client_gets()
    {
        await using var server = await env.StartServerAsync(output, new ServerConfig
        {
            Extra = ["tls-cipher ECDHE-RSA-AES128-GCM-SHA256", "tls-ciphersuites TLS_CHACHA20_POLY1305_SHA256"],
        });
        await using var tls12 = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1, Device = "fvc0", Extra = ["tls-version-max 1.2"] });
        await using var tls13 = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client2, Device = "fvc1" });

        AssertControlChannel(tls12, "TLSv1.2, cipher TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256");
        AssertControlChannel(tls13, "TLSv1.3, cipher TLSv1.3 TLS_CHACHA20_POLY1305_SHA256");
    }

    [Fact]
    public async Task The_clients_verify_x509_name_accepts_the_servers_name_and_refuses_another()
    {
        await using var server = await env.StartServerAsync(output);
        await using var matching = await env.ConnectClientAsync(output, new ClientConfig
        {
            Identity = env.Pki.Client1, Device = "fvc0", Extra = [$"verify-x509-name {env.Pki.Server.CommonName} name"],
        });
        await using var wrong = env.StartClient(output, new ClientConfig
        {
            Identity = env.Pki.Client2, Device = "fvx0", Extra = ["verify-x509-name some-other-server name", "hand-window 5"],
        });

        await TunnelAssertions.AssertConnectedAndPingingAsync(env, matching, server);
        var refusal = await wrong.Process.WaitForLineAsync(l => l.Contains("VERIFY X509NAME ERROR", StringComparison.Ordinal), TimeSpan.FromSeconds(25));
        Assert.True(refusal is not null, $"the client with the wrong verify-x509-name did not refuse the server.\n{wrong.Process.Describe()}");
        await TunnelAssertions.AssertNotConnectedAsync(env, wrong);
    }

    private static void AssertControlChannel(OpenVpnClient client, string expected) =>
        Assert.True(client.Log.Find(l => l.Contains("Control Channel: " + expected, StringComparison.Ordinal)) is not null,
            $"client {client.Name} did not report 'Control Channel: {expected}'.\n{client.Process.Describe()}");
}
