using FleetVpn.EndToEnd.Tests.Infrastructure;

namespace FleetVpn.EndToEnd.Tests;

/// <summary>
/// <c>crl-verify</c> in both forms: a client whose certificate is revoked is refused during the handshake (its own log shows
/// the TLS failure, the server's log names it as revoked) while another client connects and carries traffic.
/// </summary>
public sealed class RevocationTests(E2EFixture env, ITestOutputHelper output) : IClassFixture<E2EFixture>
{
    private static readonly TimeSpan RefusalTimeout = TimeSpan.FromSeconds(25);

    [Fact]
    public async Task A_client_in_the_crl_file_is_refused_while_another_connects_and_pings()
    {
        var crl = Path.Combine(env.TempDirectory, "revocation-crl.pem");
        env.Pki.WriteCrl(crl, env.Pki.Client2);

        await AssertRevokedClientIsRefusedAsync($"crl-verify {crl}");
    }

    [Fact]
    public async Task A_client_named_in_the_crl_directory_is_refused_while_another_connects_and_pings()
    {
        var directory = Path.Combine(env.TempDirectory, "revocation-crl-dir");
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, TestPki.DecimalSerial(env.Pki.Client2)), "");

        await AssertRevokedClientIsRefusedAsync($"crl-verify {directory} dir");
    }

    [Fact]
    public async Task An_expired_crl_refuses_every_client_and_the_server_log_says_why()
    {
        var crl = Path.Combine(env.TempDirectory, "expired-crl.pem");
        env.Pki.WriteCrl(crl, DateTimeOffset.UtcNow.AddDays(-10), DateTimeOffset.UtcNow.AddDays(-1));
        await using var server = await env.StartServerAsync(output, new ServerConfig { Extra = [$"crl-verify {crl}"] });
        if (server.Kind == ServerKind.FleetVpn)
            Assert.True(server.Log.Find(l => l.Contains("EXPIRED at", StringComparison.Ordinal)) is not null,
                $"the start-up log does not warn that the CRL has expired.\n{server.Process.Describe()}");

        await using var client = env.StartClient(output, new ClientConfig { Identity = env.Pki.Client1, Device = "fvc0", Extra = ["hand-window 5"] });

        var refusal = await server.Process.WaitForLineAsync(l => ServerLogExpectations.IsExpiredCrlRefusal(server.Kind, l), RefusalTimeout);
        Assert.True(refusal is not null, $"the server log does not refuse the client for the expired CRL.\n{server.Process.Describe(150)}");
        output.WriteLine($"server: {refusal}");
        Assert.True(await client.Process.WaitForLineAsync(IsTlsFailure, RefusalTimeout) is not null,
            $"the client's log shows no TLS failure.\n{client.Process.Describe()}");
        await TunnelAssertions.AssertNotConnectedAsync(env, client);
    }

    private async Task AssertRevokedClientIsRefusedAsync(string crlVerifyLine)
    {
        await using var server = await env.StartServerAsync(output, new ServerConfig { Extra = [crlVerifyLine] });
        await using var good = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1, Device = "fvc0" });
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, good, server);

        var mark = server.Log.Count;
        // FleetVPN drops a refused session without flushing a TLS alert to the client, so the client learns of the
        // refusal when its hand-window runs out: a short one keeps the test short.
        await using var revoked = env.StartClient(output, new ClientConfig { Identity = env.Pki.Client2, Device = "fvrev0", Extra = ["hand-window 5"] });

        var refusal = await server.Process.WaitForLineAsync(
            l => ServerLogExpectations.IsRevocation(server.Kind, env.Pki.Client2.CommonName, l), RefusalTimeout, mark);
        Assert.True(refusal is not null, $"the server log does not name {env.Pki.Client2.CommonName} as revoked.\n{server.Process.Describe(150)}");
        output.WriteLine($"server: {refusal}");

        var clientFailure = await revoked.Process.WaitForLineAsync(IsTlsFailure, RefusalTimeout);
        Assert.True(clientFailure is not null, $"the revoked client's log shows no TLS failure.\n{revoked.Process.Describe()}");
        output.WriteLine($"revoked client: {clientFailure}");

        await Task.Delay(TimeSpan.FromSeconds(2)); // a wrongly accepted client would be up by now
        await TunnelAssertions.AssertNotConnectedAsync(env, revoked);
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, good, server);
    }

    /// <summary>How the openvpn client reports a handshake the server broke off.</summary>
    internal static bool IsTlsFailure(string line) =>
        line.Contains("TLS Error", StringComparison.OrdinalIgnoreCase)
        || line.Contains("TLS_ERROR", StringComparison.Ordinal)
        || line.Contains("tls_read_plaintext", StringComparison.Ordinal)
        || line.Contains("SSL alert", StringComparison.OrdinalIgnoreCase)
        || line.Contains("AUTH_FAILED", StringComparison.Ordinal);
}
