using FleetVpn.EndToEnd.Tests.Infrastructure;

namespace FleetVpn.EndToEnd.Tests;

/// <summary><c>tls-version-min 1.3</c> on the server: a client limited to TLS 1.2 cannot connect, a default client connects with TLS 1.3.</summary>
public sealed class TlsVersionTests(E2EFixture env, ITestOutputHelper output) : IClassFixture<E2EFixture>
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
}
