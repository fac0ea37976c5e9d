using FleetVpn.EndToEnd.Tests.Infrastructure;

namespace FleetVpn.EndToEnd.Tests;

/// <summary>Clients with bad certificates are refused, with the reason in the server log, while a good client stays up.</summary>
public sealed class CertificateRefusalTests(E2EFixture env, ITestOutputHelper output) : IClassFixture<E2EFixture>
{
    private static readonly TimeSpan RefusalTimeout = TimeSpan.FromSeconds(25);

    [Fact]
    public async Task Foreign_ca_expired_and_no_client_auth_are_refused_while_a_good_client_keeps_working()
    {
        await using var server = await env.StartServerAsync(output);
        await using var good = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1, Device = "fvc0" });
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, good, server);

        var cases = new (CertificateFiles Identity, CertificateProblem Problem, string Device)[]
        {
            (env.Pki.OtherCaClient, CertificateProblem.UntrustedRoot, "fvbad1"),
            (env.Pki.ExpiredClient, CertificateProblem.Expired, "fvbad2"),
            (env.Pki.NoClientAuthClient, CertificateProblem.MissingClientAuthEku, "fvbad3"),
        };
        var bad = new List<OpenVpnClient>();
        var logMark = server.Log.Count; // reasons count only from here on
        try
        {
            foreach (var (identity, _, device) in cases)
                bad.Add(env.StartClient(output, new ClientConfig { Identity = identity, Device = device }));

            // The server names each reason (one shared deadline for all three).
            var deadline = DateTime.UtcNow + RefusalTimeout;
            var missingReasons = new List<string>();
            foreach (var (identity, problem, _) in cases)
            {
                var left = deadline - DateTime.UtcNow;
                var line = await server.Process.WaitForLineAsync(
                    l => ServerLogExpectations.IsRejection(server.Kind, problem, l),
                    left > TimeSpan.Zero ? left : TimeSpan.Zero, logMark);
                if (line is null) missingReasons.Add($"{identity.CommonName}: {ServerLogExpectations.Describe(server.Kind, problem)}");
                else output.WriteLine($"refusal of {identity.CommonName} ({problem}): {line}");
            }

            // A wrongly accepted client would connect within a second or two: give it the chance.
            await Task.Delay(TimeSpan.FromSeconds(3));
            foreach (var client in bad)
                await TunnelAssertions.AssertNotConnectedAsync(env, client);

            Assert.True(missingReasons.Count == 0,
                "the server log does not name the refusal reason for:\n  " + string.Join("\n  ", missingReasons)
                + "\n" + server.Process.Describe(150));

            // The good client was not disturbed by the refusals and still carries traffic.
            await TunnelAssertions.AssertConnectedAndPingingAsync(env, good, server);
        }
        finally
        {
            foreach (var client in bad) await client.DisposeAsync();
        }
    }
}
