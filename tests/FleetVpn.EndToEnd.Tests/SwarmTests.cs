using System.Globalization;
using FleetVpn.EndToEnd.Tests.Infrastructure;

namespace FleetVpn.EndToEnd.Tests;

/// <summary>
/// <c>fleetvpn swarm</c> in the client namespace against a server in the server namespace: the real
/// openvpn 2.6 server (with and without tls-crypt) and FleetVPN (steady and churn). Every simulated client
/// must connect and get ICMP echo replies from the server's tun address through its tunnel. Against FleetVPN
/// also a reconnect storm (every client drops at once and comes back on a new source port) and server-initiated
/// renegotiation under ICMP load, four workers sharing the clients, and clients changing source port mid-session.
/// </summary>
public sealed class SwarmTests(E2EFixture env, ITestOutputHelper output) : IClassFixture<E2EFixture>
{
    private const int Clients = 200;
    private const string ServerTunAddress = "10.8.0.1";
    private static readonly TimeSpan SwarmLimit = TimeSpan.FromSeconds(50);

    /// <summary>One PKI of 200 client certificates for the whole run (ECDSA: made in well under a second each).</summary>
    private static readonly Lazy<SwarmTestPki> Pki = new(() =>
    {
        var directory = Path.Combine(Path.GetTempPath(), $"fve2e-{Environment.ProcessId}-swarmpki");
        CleanupRegistry.AddDirectory(directory);
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        return SwarmTestPki.Create(directory, Clients);
    });

    [Fact]
    public async Task Two_hundred_clients_connect_to_openvpn_and_ping_through_their_tunnels()
    {
        await using var server = await StartServerAsync(ServerKind.OpenVpn, new SwarmServerConfig());
        var run = await RunSwarmAsync([]);
        AssertAllConnectedAndPinged(run, server);
    }

    [Fact]
    public async Task Two_hundred_clients_connect_to_openvpn_with_tls_crypt()
    {
        var key = await env.StaticKeyAsync("swarm-tls-crypt");
        await using var server = await StartServerAsync(ServerKind.OpenVpn, new SwarmServerConfig { TlsCryptKeyPath = key });
        var run = await RunSwarmAsync(["--tls-crypt", key]);
        AssertAllConnectedAndPinged(run, server);
    }

    [Fact]
    public async Task Swarm_with_tls_crypt_v2_connects_to_openvpn_and_to_fleetvpn()
    {
        const int clients = 50;
        var serverKey = Path.Combine(env.TempDirectory, "swarm-v2-server.key");
        var clientKey = Path.Combine(env.TempDirectory, "swarm-v2-client.key");
        foreach (var args in new[] { new[] { "pki", "tls-crypt-v2-server", serverKey }, ["pki", "tls-crypt-v2-client", serverKey, clientKey] })
        {
            var made = await FleetVpnCli.RunAsync(args);
            Assert.True(made.Succeeded, made.ToString());
        }
        foreach (var kind in new[] { ServerKind.OpenVpn, ServerKind.FleetVpn })
        {
            await using var server = await StartServerAsync(kind, new SwarmServerConfig { Extra = [$"tls-crypt-v2 {serverKey}"] });
            var run = await RunSwarmAsync(["--tls-crypt-v2", clientKey], durationSeconds: 6, clients: clients);
            AssertAllConnectedAndPinged(run, server, clients);
        }
    }

    [Fact]
    public async Task Two_hundred_clients_connect_to_fleetvpn_and_ping_through_their_tunnels()
    {
        await using var server = await StartServerAsync(ServerKind.FleetVpn, new SwarmServerConfig());
        var run = await RunSwarmAsync([]);
        AssertAllConnectedAndPinged(run, server);
    }

    [Fact]
    public async Task Churn_against_fleetvpn_reconnects_every_churned_client()
    {
        await using var server = await StartServerAsync(ServerKind.FleetVpn, new SwarmServerConfig());
        var run = await RunSwarmAsync(["--scenario", "churn", "--churn-interval", "3", "--churn-percent", "20"], durationSeconds: 13);
        AssertAllConnectedAndPinged(run, server);
        Assert.True(run.Number("churned") >= Clients * 20 / 100 * 2,
            $"expected at least two churn rounds of 40 clients, churned {run.Number("churned")}");
        Assert.True(run.Number("handshakes") >= Clients + run.Number("churned"),
            $"every churned client must connect again: handshakes {run.Number("handshakes")}, churned {run.Number("churned")}");
    }

    [Fact]
    public async Task Storm_against_fleetvpn_reconnects_every_client_on_a_new_source_port()
    {
        const int clients = 100;
        await using var server = await StartServerAsync(ServerKind.FleetVpn, new SwarmServerConfig());
        // 100 clients ramp in 2 s; at 6 s (mid-run) every one drops its session and reconnects from a new socket.
        var run = await RunSwarmAsync(["--scenario", "storm"], durationSeconds: 12, clients: clients);
        AssertAllConnectedAndPinged(run, server, clients);
        Assert.True(run.Root.GetProperty("failures").EnumerateObject().Sum(p => p.Value.GetInt64()) == 0,
            $"failures {run.Failures}\n{server.Process.Describe(80)}");
        Assert.True(run.Number("handshakes") >= 2 * clients,
            $"every client must connect again after the storm: handshakes {run.Number("handshakes")}\n{run.Result}");
        // The reconnects come from new source ports (nobind): the server logs "CN/address:port connected, assigned …"
        // and sees 2 × clients distinct CN/address:port names.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (ConnectedNames(server).Count < 2 * clients && DateTime.UtcNow < deadline)
            await Task.Delay(200);
        var names = ConnectedNames(server);
        Assert.True(names.Count >= 2 * clients,
            $"the server log shows {names.Count} distinct CN/address:port connections; expected {2 * clients}.\n{server.Process.Describe(80)}");
    }

    /// <summary>
    /// Admission control counts a handshake in flight only while its client answers: one worker admits 64 at a time,
    /// and every client first leaves a handshake half-done (silent from then on) before it starts again from a new
    /// port. Were the abandoned ones counted until the hand-window ends (60 s), the first 64 would shut every other
    /// client out for a minute; released 5 s after their clients went quiet, all 200 connect within the run. With
    /// max-clients only 10 above the fleet, the abandoned sessions would also fill it: a new client takes the place of
    /// the oldest stalled one.
    /// </summary>
    [Fact]
    public async Task Abandoned_handshakes_leave_the_admission_count_and_every_client_connects()
    {
        const int clients = 200;
        await using var server = await StartServerAsync(ServerKind.FleetVpn,
            new SwarmServerConfig { MaxClients = clients + 10, Extra = ["workers 1", "verb 4"] });
        // A client refused at max-clients before any abandoned handshake had stalled long enough to give way gets no
        // answer; it gives the attempt up after its hand-window (10 s here), backs off and tries again.
        var run = await RunSwarmAsync(["--scenario", "abandon", "--hand-window", "10"], durationSeconds: 40, clients: clients, limit: TimeSpan.FromSeconds(90));
        AssertAllConnectedAndPinged(run, server, clients);
        Assert.True(run.Number("abandoned") == clients, $"every client abandons one handshake: abandoned {run.Number("abandoned")}\n{run.Result}");
        Assert.True(server.Log.Contains("no longer counted in flight"),
            $"the server never released an abandoned handshake's admission slot.\n{server.Process.Describe(60)}");
        Assert.True(server.Log.Contains("a new client needed its place (max-clients reached)"),
            $"no stalled handshake gave its place to a new client at max-clients.\n{server.Process.Describe(60)}");
    }

    [Fact]
    public async Task Four_workers_share_the_clients_and_every_client_pings_through_its_worker()
    {
        await using var server = await StartServerAsync(ServerKind.FleetVpn, new SwarmServerConfig { Extra = ["workers 4", "worker-cpus auto"] });
        var run = await RunSwarmAsync([]);
        AssertAllConnectedAndPinged(run, server);
        Assert.True(server.Log.Contains("4 worker(s) pinned to CPUs"), $"no line about 4 pinned workers.\n{server.Process.Describe(40)}");
        // A peer-id names its worker (peer-id mod 4): the kernel's SO_REUSEPORT hash of 200 source ports reaches all four.
        var workers = ConnectedPeerIds(server).Select(id => id % 4).Distinct().Count();
        Assert.True(workers == 4, $"the clients' peer-ids name {workers} of the 4 workers.\n{server.Process.Describe(40)}");
    }

    [Fact]
    public async Task Clients_that_change_source_port_keep_their_sessions_and_reach_their_worker()
    {
        const int clients = 100;
        await using var server = await StartServerAsync(ServerKind.FleetVpn, new SwarmServerConfig { Extra = ["workers 4"] });
        // At mid-run every connected client moves to a new source port (a NAT rebinding) without reconnecting.
        var run = await RunSwarmAsync(["--scenario", "float"], durationSeconds: 14, clients: clients);
        AssertAllConnectedAndPinged(run, server, clients);
        Assert.Equal(clients, run.Number("floated"));
        Assert.True(run.Number("handshakes") == clients, $"a floated client reconnected: handshakes {run.Number("handshakes")}\n{run.Result}");
        long sent = run.Number("ping", "sent"), received = run.Number("ping", "received");
        Assert.True((sent - received) * 100 <= 5 * sent, $"ICMP loss {sent - received} of {sent} (more than 5 %)\n{run.Result}");
        // Each float is logged by the session's owner; a new port the kernel hashes to another of the 4 workers
        // reached it through the hand-over (about 3 in 4 clients).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (server.Log.Lines.Count(l => l.Contains(" floated to ", StringComparison.Ordinal)) < clients && DateTime.UtcNow < deadline)
            await Task.Delay(200);
        var floats = server.Log.Lines.Where(l => l.Contains(" floated to ", StringComparison.Ordinal)).ToList();
        Assert.True(floats.Count >= clients, $"{floats.Count} float lines for {clients} clients.\n{server.Process.Describe(60)}");
        int handedOver = floats.Count(l => l.Contains("(handed over to its worker", StringComparison.Ordinal));
        Assert.True(handedOver >= clients / 4, $"only {handedOver} of {floats.Count} floats reached their worker through a hand-over.\n{server.Process.Describe(60)}");
    }

    private static List<int> ConnectedPeerIds(ServerProcess server)
    {
        var ids = new List<int>();
        foreach (var line in server.Log.Lines)
        {
            var match = System.Text.RegularExpressions.Regex.Match(line, @" connected, assigned .*, peer-id (\d+),");
            if (match.Success) ids.Add(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
        }
        return ids;
    }

    private static HashSet<string> ConnectedNames(ServerProcess server)
    {
        const string marker = " connected, assigned ";
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in server.Log.Lines)
        {
            int at = line.IndexOf(marker, StringComparison.Ordinal);
            if (at <= 0) continue;
            int start = line.LastIndexOf(' ', at - 1) + 1;
            names.Add(line[start..at]);
        }
        return names;
    }

    [Fact]
    public async Task Server_initiated_renegotiation_every_8_s_keeps_fifty_clients_connected_without_ping_loss()
    {
        const int clients = 50;
        await using var server = await StartServerAsync(ServerKind.FleetVpn, new SwarmServerConfig { Extra = ["reneg-sec 8"] });
        var run = await RunSwarmAsync([], durationSeconds: 25, clients: clients);
        AssertAllConnectedAndPinged(run, server, clients);
        Assert.True(run.Root.GetProperty("failures").EnumerateObject().Sum(p => p.Value.GetInt64()) == 0,
            $"failures {run.Failures}\n{server.Process.Describe(80)}");
        long sent = run.Number("ping", "sent"), received = run.Number("ping", "received");
        Assert.True(sent >= clients * 20, $"ping sent {sent}");
        Assert.True((sent - received) * 100 <= sent, $"ICMP loss {sent - received} of {sent} (more than 1 %)\n{run.Result}");
        Assert.True(run.Number("renegotiations") >= clients,
            $"renegotiations {run.Number("renegotiations")}; expected every client at least once\n{server.Process.Describe(80)}");
        Assert.True(server.Log.Contains("renegotiated, data keys now key-id 1"),
            $"the server log does not show a renegotiation to key-id 1.\n{server.Process.Describe(80)}");
        Assert.True(ServerLogExpectations.KeyIdsReached(server.Kind, server.Log.Lines).Contains(2),
            $"the server log shows no second renegotiation (key-id 2).\n{server.Process.Describe(80)}");
    }

    private async Task<ServerProcess> StartServerAsync(ServerKind kind, SwarmServerConfig config)
    {
        var pki = Pki.Value;
        var path = Path.Combine(env.TempDirectory, $"swarm-server-{Guid.NewGuid():N}.conf");
        var statusPath = Path.Combine(env.TempDirectory, $"swarm-status-{Guid.NewGuid():N}.log");
        File.WriteAllText(path, config.Render(kind, pki, statusPath));
        output.WriteLine($"server config {path}:\n{File.ReadAllText(path)}");
        return await ServerProcess.StartAsync(kind, env.Namespaces.Server, path, env.TempDirectory, output, E2EFixture.ServerReadyTimeout, statusPath);
    }

    private Task<SwarmRun> RunSwarmAsync(IEnumerable<string> extra, int durationSeconds = 10, int clients = Clients, TimeSpan? limit = null)
    {
        var arguments = new List<string>
        {
            "--remote", $"{env.Namespaces.ServerAddress}:{ServerConfig.DefaultPort}",
            "--clients", clients.ToString(CultureInfo.InvariantCulture),
            "--pki", Pki.Value.Directory,
            "--ramp", "50",
            "--duration", durationSeconds.ToString(CultureInfo.InvariantCulture),
            "--ping-target", ServerTunAddress,
            "--ping-interval", "1",
            "--settle", "15",
        };
        arguments.AddRange(extra);
        return SwarmRun.RunAsync(env.Namespaces.Client, env.TempDirectory, arguments, limit ?? SwarmLimit, output);
    }

    private static void AssertAllConnectedAndPinged(SwarmRun run, ServerProcess server, int clients = Clients)
    {
        Assert.True(run.Summary is not null, $"the swarm wrote no JSON summary.\n{run.Result}\n{server.Process.Describe(80)}");
        Assert.True(run.Number("connected") == clients && run.Number("failed") == 0 && run.Number("never_connected") == 0,
            $"connected {run.Number("connected")}/{clients}, failed {run.Number("failed")}, failures {run.Failures}\n{server.Process.Describe(80)}");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(clients, run.Number("ping", "clients_answered"));
        Assert.True(run.Number("ping", "received") >= clients, $"ping received {run.Number("ping", "received")}");
        Assert.True(run.Number("connect_ms", "count") >= clients);
    }
}
