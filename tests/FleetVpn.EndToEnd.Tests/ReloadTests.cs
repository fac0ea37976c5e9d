using FleetVpn.EndToEnd.Tests.Infrastructure;

namespace FleetVpn.EndToEnd.Tests;

/// <summary>
/// SIGHUP (and the management interface's <c>signal SIGHUP</c>) reloads FleetVPN without dropping anyone: two real
/// clients connected, a CRL that now revokes one of them drops that one at once and only that one (the other keeps
/// pinging on its first connection, the revoked one cannot come back); a new client-config-dir takes effect for the
/// next client while the connected one stays. The stock server restarts on SIGHUP (every client reconnects), so there
/// is nothing of its to compare with.
/// </summary>
public sealed class ReloadTests(E2EFixture env, ITestOutputHelper output) : IClassFixture<E2EFixture>
{
    private const string AddressA = "10.8.0.2";
    private const string AddressB = "10.8.0.3";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Sighup_with_a_newly_revoked_certificate_drops_that_client_and_no_other()
    {
        if (NotFleetVpn()) return;
        var crl = Path.Combine(env.TempDirectory, "reload-crl.pem");
        env.Pki.WriteCrl(crl);
        // explicit-exit-notify: the server keeps each client's control channel, so the revoked one is told RESTART at
        // once instead of finding out at its ping-restart.
        await using var server = await env.StartServerAsync(output, new ServerConfig { Extra = [$"crl-verify {crl}", "explicit-exit-notify"] });
        var secondSide = await env.Namespaces.ClientSideAsync(2);
        await using var a = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1, Device = "fvc0" });
        await using var b = await env.ConnectClientAsync(output,
            new ClientConfig { Identity = env.Pki.Client2, Device = "fvc1", Extra = ["hand-window 5"] }, secondSide);
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, a, server, AddressA);
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, b, server, AddressB);

        // A pings all through the reload (25 pings, 0.2 s apart).
        var pinging = Net.PingSeriesAsync(a.Namespace, Net.ServerTunnelAddress, count: 25, intervalSeconds: 0.2);
        await Task.Delay(TimeSpan.FromSeconds(1));
        env.Pki.WriteCrl(crl, env.Pki.Client2);
        var serverMark = server.Log.Count;
        var clientMark = b.Log.Count;
        Assert.Equal(0, LibC.kill(server.Process.Pid, SignalTests.SIGHUP));

        var dropped = await server.Process.WaitForLineAsync(
            l => l.Contains(env.Pki.Client2.CommonName, StringComparison.Ordinal) && l.Contains("revoked by the reloaded crl-verify", StringComparison.Ordinal), Wait, serverMark);
        Assert.True(dropped is not null, $"the server did not drop the revoked client on SIGHUP.\n{server.Process.Describe(100)}");
        output.WriteLine($"server: {dropped}");
        var reloaded = server.Log.Find(l => l.Contains("configuration reloaded without a restart", StringComparison.Ordinal), serverMark);
        Assert.True(reloaded is not null, $"no reload line.\n{server.Process.Describe(100)}");
        Assert.Null(server.Log.Find(l => l.Contains(ServerProcess.ReadyLine, StringComparison.Ordinal), serverMark));

        // B is told to restart, tries again and is refused by the handshake's CRL check.
        var refusedAgain = await server.Process.WaitForLineAsync(l => ServerLogExpectations.IsRevocation(server.Kind, env.Pki.Client2.CommonName, l), Wait, serverMark);
        Assert.True(refusedAgain is not null, $"the revoked client did not try again, or was not refused.\n{server.Process.Describe(100)}\n{b.Process.Describe()}");
        Assert.True(await b.Process.WaitForLineAsync(RevocationTests.IsTlsFailure, Wait, clientMark) is not null,
            $"the revoked client's log shows no refusal.\n{b.Process.Describe()}");
        Assert.Null(b.Log.Find(l => l.Contains(OpenVpnClient.ConnectedLine, StringComparison.Ordinal), clientMark));

        // A never noticed: not a ping lost, still on its first connection.
        var tally = await pinging;
        output.WriteLine($"A during the reload: {tally.Transmitted} sent, {tally.Received} answered");
        Assert.True(tally.Lost == 0, $"client A lost pings during the reload: {tally}");
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, a, server, AddressA);
        Assert.Null(a.Log.Find(l => l.Contains("RESTART", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Signal_sighup_from_the_management_interface_applies_a_new_client_config_dir_to_the_next_client_while_the_connected_one_stays()
    {
        if (NotFleetVpn()) return;
        var socket = Path.Combine(env.TempDirectory, "reload-management.sock");
        var ccd = Directory.CreateDirectory(Path.Combine(env.TempDirectory, "reload-ccd")).FullName;
        await File.WriteAllTextAsync(Path.Combine(ccd, env.Pki.Client2.CommonName), "ifconfig-push 10.8.0.77 255.255.255.0\npush \"route 192.168.77.0 255.255.255.0\"\n");
        await using var server = await env.StartServerAsync(output, new ServerConfig { MaxClients = 10, Extra = [$"management {socket} unix"] });
        await using var a = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1, Device = "fvc0" });
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, a, server, AddressA);

        // The reloaded configuration names the ccd directory, and asks for a max-clients a running server cannot change.
        var config = SignalTests.ConfigPath(server);
        var text = await File.ReadAllTextAsync(config);
        await File.WriteAllTextAsync(config, text.Replace("max-clients 10", "max-clients 20") + $"client-config-dir {ccd}\n");
        var mark = server.Log.Count;
        await using (var management = await ManagementClient.ConnectUnixAsync(socket))
        {
            await management.WaitForAsync("type 'help' for more info", Wait);
            var reply = await management.CommandAsync("signal SIGHUP");
            Assert.Equal("SUCCESS: signal SIGHUP thrown\r\n", reply);
        }
        var reloaded = await server.Process.WaitForLineAsync(l => l.Contains("configuration reloaded without a restart", StringComparison.Ordinal), Wait, mark);
        Assert.True(reloaded is not null, $"no reload after 'signal SIGHUP'.\n{server.Process.Describe(100)}");
        var kept = server.Log.Find(l => l.Contains("WARNING: SIGHUP: max-clients 20 (running: 10) cannot change", StringComparison.Ordinal), mark);
        Assert.True(kept is not null, $"no warning for the max-clients kept.\n{server.Process.Describe(100)}");

        var secondSide = await env.Namespaces.ClientSideAsync(2);
        await using var b = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client2, Device = "fvc1" }, secondSide);
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, b, server, "10.8.0.77");
        var routes = await Commands.Exec(b.Namespace, "ip", "route", "show", "192.168.77.0/24");
        Assert.True(routes.StandardOutput.Contains("fvc1", StringComparison.Ordinal), $"the ccd's pushed route is missing on B:\n{routes}\n{b.Process.Describe()}");

        await TunnelAssertions.AssertConnectedAndPingingAsync(env, a, server, AddressA);
    }

    [Fact]
    public async Task Sighup_takes_up_a_renewed_server_certificate_for_new_clients_while_the_connected_one_stays()
    {
        if (NotFleetVpn()) return;
        var renewed = env.Pki.IssueServer("server-renewed");
        await using var server = await env.StartServerAsync(output);
        await using var a = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1, Device = "fvc0" });
        Assert.NotNull(a.Log.Find(l => l.Contains("VERIFY OK: depth=0, CN=server", StringComparison.Ordinal) && !l.Contains("server-renewed", StringComparison.Ordinal)));

        var config = SignalTests.ConfigPath(server);
        var text = await File.ReadAllTextAsync(config);
        await File.WriteAllTextAsync(config, text
            .Replace($"cert {env.Pki.Server.CertificatePath}", $"cert {renewed.CertificatePath}")
            .Replace($"key {env.Pki.Server.KeyPath}", $"key {renewed.KeyPath}"));
        var mark = server.Log.Count;
        Assert.Equal(0, LibC.kill(server.Process.Pid, SignalTests.SIGHUP));
        var reloaded = await server.Process.WaitForLineAsync(l => l.Contains("configuration reloaded without a restart: certificate CN=server-renewed", StringComparison.Ordinal), Wait, mark);
        Assert.True(reloaded is not null, $"the reload did not take up the renewed certificate.\n{server.Process.Describe(100)}");

        var secondSide = await env.Namespaces.ClientSideAsync(2);
        await using var b = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client2, Device = "fvc1" }, secondSide);
        Assert.True(b.Log.Find(l => l.Contains("VERIFY OK: depth=0, CN=server-renewed", StringComparison.Ordinal)) is not null,
            $"the new client did not get the renewed certificate.\n{b.Process.Describe()}");
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, b, server, AddressB);
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, a, server, AddressA);
    }

    private bool NotFleetVpn()
    {
        if (env.ServerKind == ServerKind.FleetVpn) return false;
        output.WriteLine("the stock server restarts on SIGHUP, dropping every client: nothing to compare");
        return true;
    }
}
