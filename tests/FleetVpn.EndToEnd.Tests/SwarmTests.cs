using System.Globalization;
using FleetVpn.EndToEnd.Tests.Infrastructure;

namespace FleetVpn.EndToEnd.Tests;

/// <summary>
/// <c>fleetvpn swarm</c> in the client namespace against a server in the server namespace: the real
/// openvpn 2.6 server (with and without tls-crypt) and FleetVPN (steady and churn). Every simulated client
/// must connect and get ICMP echo replies from the server's tun address through its tunnel.
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

    private async Task<ServerProcess> StartServerAsync(ServerKind kind, SwarmServerConfig config)
    {
        var pki = Pki.Value;
        var path = Path.Combine(env.TempDirectory, $"swarm-server-{Guid.NewGuid():N}.conf");
        var statusPath = Path.Combine(env.TempDirectory, $"swarm-status-{Guid.NewGuid():N}.log");
        File.WriteAllText(path, config.Render(kind, pki, statusPath));
        output.WriteLine($"server config {path}:\n{File.ReadAllText(path)}");
        return await ServerProcess.StartAsync(kind, env.Namespaces.Server, path, env.TempDirectory, output, E2EFixture.ServerReadyTimeout, statusPath);
    }

    private Task<SwarmRun> RunSwarmAsync(IEnumerable<string> extra, int durationSeconds = 10)
    {
        var arguments = new List<string>
        {
            "--remote", $"{env.Namespaces.ServerAddress}:{ServerConfig.DefaultPort}",
            "--clients", Clients.ToString(CultureInfo.InvariantCulture),
            "--pki", Pki.Value.Directory,
            "--ramp", "50",
            "--duration", durationSeconds.ToString(CultureInfo.InvariantCulture),
            "--ping-target", ServerTunAddress,
            "--ping-interval", "1",
            "--settle", "15",
        };
        arguments.AddRange(extra);
        return SwarmRun.RunAsync(env.Namespaces.Client, env.TempDirectory, arguments, SwarmLimit, output);
    }

    private static void AssertAllConnectedAndPinged(SwarmRun run, ServerProcess server)
    {
        Assert.True(run.Summary is not null, $"the swarm wrote no JSON summary.\n{run.Result}\n{server.Process.Describe(80)}");
        Assert.True(run.Number("connected") == Clients && run.Number("failed") == 0 && run.Number("never_connected") == 0,
            $"connected {run.Number("connected")}/{Clients}, failed {run.Number("failed")}, failures {run.Failures}\n{server.Process.Describe(80)}");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(Clients, run.Number("ping", "clients_answered"));
        Assert.True(run.Number("ping", "received") >= Clients, $"ping received {run.Number("ping", "received")}");
        Assert.True(run.Number("connect_ms", "count") >= Clients);
    }
}
