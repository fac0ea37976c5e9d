using System.Diagnostics;
using System.Globalization;
using FleetVpn.EndToEnd.Tests.Infrastructure;

namespace FleetVpn.EndToEnd.Tests;

/// <summary>
/// Three FleetVPN nodes (<c>fleet-node N 3</c>) behind the stateless nftables load balancer that `fleetvpn lb` keeps,
/// with BIRD announcing each node's block and its static-address /32s to a backend router (docs/multi-node.md), in
/// namespaces made for this class: simulated devices spread evenly and reach a backend host; a static address follows
/// its device to another node; a killed node's devices, and only those, reconnect elsewhere; a source-port change
/// keeps the tunnel. Lines starting "figure:" are the measurements of bench/results/multi-node.txt.
/// </summary>
public sealed class MultiNodeTests(MultiNodeFixture env, ITestOutputHelper output) : IClassFixture<MultiNodeFixture>
{
    private const int Port = 1194;
    private const string ConnectedMarker = " connected, assigned ";

    // keepalive 2 10: devices of a dead node notice within 10 s (ping-restart) and reconnect after 1 s.
    private const int PingRestartSeconds = 10;

    /// <summary>
    /// The pushed ping-restart, the swarm's 1 s back-off, and 30 s for the handshakes of a third of the fleet at once,
    /// which on this shared 2-core machine take seconds each under load (the figure printed is what it took).
    /// </summary>
    private static readonly TimeSpan RecoveryLimit = TimeSpan.FromSeconds(PingRestartSeconds + 1 + 30);

    [Fact]
    public async Task Devices_spread_evenly_over_three_nodes_and_ping_the_backend_through_their_tunnels()
    {
        int devices = MultiNodeFixture.SpreadDevices;
        await using var nodes = await StartNodesAsync();
        await using var lb = await StartLoadBalancerAsync();
        var started = Stopwatch.StartNew();
        // Long enough for every handshake on a busy 2-core machine (seconds each under load), then 30 s to settle.
        var run = await RunSwarmAsync(devices, durationSeconds: Math.Max(40, devices / 25), ramp: 300, pingInterval: 2,
            limit: TimeSpan.FromMinutes(5), settleSeconds: 30);
        output.WriteLine($"figure: {devices} devices through the load balancer: swarm run {started.Elapsed.TotalSeconds:0.0} s, " +
            $"connect p50 {run.Number("connect_ms", "p50")} ms, p99 {run.Number("connect_ms", "p99")} ms");

        AssertAllConnected(run, devices, nodes);
        Assert.Equal(devices, run.Number("ping", "clients_answered"));
        var perNode = nodes.Servers.Select(DevicesOn).ToArray();
        output.WriteLine($"figure: devices per node {string.Join(" / ", perNode)} (even: {devices / 3.0:0})");
        Assert.Equal(devices, perNode.Sum());
        foreach (var count in perNode)
            Assert.True(Math.Abs(count - devices / 3.0) <= devices / 3.0 * 0.10,
                $"devices per node {string.Join(" / ", perNode)}: not within 10 % of {devices / 3.0:0}");
        // Each node handed out addresses from its own block only (the static device's address is from block 0).
        for (int node = 1; node <= 3; node++)
        {
            var foreign = AssignedAddresses(nodes.Servers[node - 1])
                .Where(a => a.CommonName != MultiNodeFixture.StaticDevice && !InBlock(a.Address, node)).ToList();
            Assert.True(foreign.Count == 0, $"node {node} assigned addresses outside {MultiNodeFixture.Block(node)}: " +
                string.Join(", ", foreign.Take(5).Select(a => $"{a.CommonName} {a.Address}")));
        }
    }

    [Fact]
    public async Task A_static_address_follows_its_device_to_another_node_and_the_backend_reaches_it_there()
    {
        await using var nodes = await StartNodesAsync();
        await using var lb = await StartLoadBalancerAsync();
        await using var client = StartStaticClient();
        await client.WaitConnectedAsync(TimeSpan.FromSeconds(30));

        int first = NodeHolding(nodes, MultiNodeFixture.StaticDevice);
        Assert.True(first > 0, "no node logged the static device's connection");
        await AssertBackendReachesStaticDeviceViaAsync(first);

        // Its node stops: the load balancer takes it out, the device's ping-restart fires and it reconnects elsewhere.
        var stopped = Stopwatch.StartNew();
        await nodes.Servers[first - 1].StopAsync(TimeSpan.FromSeconds(5));
        int second = 0;
        while (stopped.Elapsed < TimeSpan.FromSeconds(PingRestartSeconds + 20) && second == 0)
        {
            await Task.Delay(250);
            second = Enumerable.Range(1, 3).Where(n => n != first).FirstOrDefault(n => DevicesOnNode(nodes, n).Contains(MultiNodeFixture.StaticDevice));
        }
        Assert.True(second > 0, $"the static device did not reconnect to another node within {PingRestartSeconds + 20} s.\n{client.Process.Describe(40)}");
        output.WriteLine($"figure: static device moved from node {first} to node {second} in {stopped.Elapsed.TotalSeconds:0.0} s");
        await AssertBackendReachesStaticDeviceViaAsync(second);
        Assert.Contains(lb.Log.Lines, l => l.Contains(MultiNodeTopology.NodeAddress(first) + " down", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_killed_node_devices_reconnect_to_the_others_and_no_other_device_drops()
    {
        const int devices = 300;
        await using var nodes = await StartNodesAsync();
        await using var lb = await StartLoadBalancerAsync();
        var swarm = RunSwarmAsync(devices, durationSeconds: 100, ramp: 100, pingInterval: 1, limit: TimeSpan.FromSeconds(180));

        // Everyone connected (3 s of ramp; handshakes are slow on a busy 2-core machine), then node 2 is killed
        // without a word to its devices.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (nodes.Servers.Sum(DevicesOn) < devices && DateTime.UtcNow < deadline && !swarm.IsCompleted) await Task.Delay(250);
        if (nodes.Servers.Sum(DevicesOn) < devices)
        {
            var early = await swarm;
            Assert.Fail($"{nodes.Servers.Sum(DevicesOn)} of {devices} devices connected within 60 s.\n{early.Result}");
        }
        await Task.Delay(TimeSpan.FromSeconds(3));
        var victims = DevicesOnNode(nodes, 2);
        var survivorsBefore = new[] { 1, 3 }.ToDictionary(n => n, n => nodes.Servers[n - 1].Log.Lines.Count(l => l.Contains(ConnectedMarker, StringComparison.Ordinal)));
        var killedAt = DateTime.UtcNow;
        var killed = Stopwatch.StartNew();
        ProcessKiller.Kill(nodes.Servers[1].Process.Pid);

        // Recovery: every device of node 2 has connected to node 1 or 3.
        TimeSpan? recovered = null;
        while (killed.Elapsed < RecoveryLimit)
        {
            var moved = new[] { 1, 3 }.SelectMany(n => NewConnections(nodes.Servers[n - 1], survivorsBefore[n])).ToHashSet(StringComparer.Ordinal);
            if (victims.All(moved.Contains))
            {
                recovered = killed.Elapsed;
                break;
            }
            await Task.Delay(200);
        }
        var lbLine = lb.Log.Lines.FirstOrDefault(l => l.Contains(MultiNodeTopology.NodeAddress(2) + " down", StringComparison.Ordinal));
        output.WriteLine($"figure: node 2 of 3 killed at {killedAt:HH:mm:ss.fff} with {victims.Count} of {devices} devices; lb: {lbLine}");
        Assert.True(recovered is not null, $"not all {victims.Count} devices of the killed node reconnected within {RecoveryLimit.TotalSeconds} s");
        output.WriteLine($"figure: full recovery (every device of the killed node connected to another) {recovered!.Value.TotalSeconds:0.0} s after the kill");

        var run = await swarm;
        AssertAllConnected(run, devices, nodes);
        // Only the killed node's devices restarted: the others never missed their ping-restart, so kept their sessions.
        Assert.Equal(devices + victims.Count, run.Number("handshakes"));
        Assert.True(run.Root.GetProperty("failures").EnumerateObject().All(f => f.Name == "ping-restart"), $"failures {run.Failures}");
        Assert.Equal(victims.Count, run.Number("failures", "ping-restart"));
        var newOnSurvivors = new[] { 1, 3 }.SelectMany(n => NewConnections(nodes.Servers[n - 1], survivorsBefore[n])).ToList();
        Assert.Equal(victims.Count, newOnSurvivors.Count);
    }

    [Fact]
    public async Task A_device_that_changes_its_source_port_keeps_its_tunnel_on_its_node()
    {
        const int devices = 100;
        await using var nodes = await StartNodesAsync();
        await using var lb = await StartLoadBalancerAsync();
        var run = await RunSwarmAsync(devices, durationSeconds: 16, ramp: 100, pingInterval: 1, limit: TimeSpan.FromSeconds(90), scenario: "float");

        AssertAllConnected(run, devices, nodes);
        Assert.Equal(devices, run.Number("floated"));
        Assert.True(run.Number("handshakes") == devices, $"a floated device reconnected: handshakes {run.Number("handshakes")}\n{run.Result}");
        long sent = run.Number("ping", "sent"), received = run.Number("ping", "received");
        Assert.True((sent - received) * 100 <= 5 * sent, $"ICMP loss {sent - received} of {sent} (more than 5 %)");
        int floats = nodes.Servers.Sum(s => s.Log.Lines.Count(l => l.Contains(" floated to ", StringComparison.Ordinal)));
        Assert.True(floats >= devices, $"the nodes logged {floats} floats for {devices} devices");
    }

    // ---- helpers ----

    private sealed class Nodes(List<ServerProcess> servers) : IAsyncDisposable
    {
        public List<ServerProcess> Servers { get; } = servers;

        public async ValueTask DisposeAsync()
        {
            foreach (var server in Servers) await server.DisposeAsync();
        }
    }

    private async Task<Nodes> StartNodesAsync()
    {
        var servers = new List<ServerProcess>();
        try
        {
            for (int node = 1; node <= MultiNodeTopology.Nodes; node++)
            {
                var config = new SwarmServerConfig
                {
                    MaxClients = MultiNodeFixture.SpreadDevices + 100,
                    Extra =
                    [
                        $"dev {MultiNodeTopology.TunDevice}",
                        $"local {MultiNodeTopology.NodeAddress(node)}",
                        $"fleet-node {node} {MultiNodeTopology.Nodes}",
                        $"metrics {MultiNodeTopology.NodeAddress(node)} {MultiNodeTopology.MetricsPort}",
                        $"keepalive 2 {PingRestartSeconds}",
                        $"client-config-dir {env.ClientConfigDir}",
                        "push \"route 192.168.50.0 255.255.255.0\"",
                        "workers 1",
                    ],
                };
                var path = Path.Combine(env.TempDirectory, $"node{node}-{Guid.NewGuid():N}.conf");
                var status = Path.Combine(env.TempDirectory, $"node{node}-status-{Guid.NewGuid():N}.log");
                await File.WriteAllTextAsync(path, config.Render(ServerKind.FleetVpn, env.Pki, status));
                servers.Add(await ServerProcess.StartAsync(ServerKind.FleetVpn, env.Topology.NodeNamespaces[node - 1], path, env.TempDirectory,
                    output, E2EFixture.ServerReadyTimeout, status));
            }
            // Each node's BIRD announces its block once the node's tun exists: the backend router then routes all three.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            for (int node = 1; node <= MultiNodeTopology.Nodes; node++)
            {
                var expected = $"via {MultiNodeTopology.NodeBackendAddress(node)}";
                while (!(await env.Topology.RouterRouteAsync(MultiNodeFixture.Block(node))).Contains(expected, StringComparison.Ordinal) && DateTime.UtcNow < deadline)
                    await Task.Delay(250);
                var route = await env.Topology.RouterRouteAsync(MultiNodeFixture.Block(node));
                Assert.True(route.Contains(expected, StringComparison.Ordinal), $"the backend router has no route {MultiNodeFixture.Block(node)} {expected}: '{route}'");
            }
            return new Nodes(servers);
        }
        catch
        {
            foreach (var server in servers) await server.DisposeAsync();
            throw;
        }
    }

    private async Task<RunningProcess> StartLoadBalancerAsync()
    {
        var nodesFile = Path.Combine(env.TempDirectory, $"lb-nodes-{Guid.NewGuid():N}");
        await File.WriteAllLinesAsync(nodesFile, Enumerable.Range(1, MultiNodeTopology.Nodes).Select(n =>
            $"{MultiNodeTopology.NodeAddress(n)} http://{MultiNodeTopology.NodeAddress(n)}:{MultiNodeTopology.MetricsPort}/health"));
        var argv = new List<string> { "netns", "exec", env.Topology.LoadBalancer };
        var cli = E2ESettings.FleetVpnCliPath;
        if (cli.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)) argv.Add(Tools.FindDotnet() ?? throw new InvalidOperationException("dotnet host not found"));
        argv.AddRange([cli, "lb", "--nodes", nodesFile, "--vip", MultiNodeTopology.Vip, "--port", Port.ToString(CultureInfo.InvariantCulture),
            "--interval", "0.5", "--fail-after", "2", "--ruleset", Path.Combine(env.TempDirectory, $"lb-{Guid.NewGuid():N}.nft")]);
        var lb = RunningProcess.Start("fleetvpn lb", Tools.Resolve("ip"), argv, env.TempDirectory, output);
        if (await lb.WaitForTextAsync("lb: start: 3 of 3 node(s) up", TimeSpan.FromSeconds(30)) is null)
        {
            var description = lb.Describe(40);
            await lb.DisposeAsync();
            throw new InvalidOperationException($"fleetvpn lb did not apply its ruleset.\n{description}");
        }
        // Every node answers /health: after four probe rounds (two would take a failing node out) none went down.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var down = lb.Log.Lines.Where(l => l.Contains(" down (", StringComparison.Ordinal)).ToList();
        if (down.Count > 0)
        {
            await lb.DisposeAsync();
            throw new InvalidOperationException($"fleetvpn lb took a healthy node out: {string.Join('\n', down)}");
        }
        return lb;
    }

    private OpenVpnClient StartStaticClient()
    {
        var pki = env.Pki;
        var path = Path.Combine(env.TempDirectory, $"static-client-{Guid.NewGuid():N}.conf");
        File.WriteAllText(path, $"""
            client
            dev fvlb0
            dev-type tun
            proto udp
            remote {MultiNodeTopology.Vip} {Port}
            nobind
            remote-cert-tls server
            ca {pki.CaPath}
            cert {Path.Combine(pki.Directory, "issued", MultiNodeFixture.StaticDevice + ".crt")}
            key {Path.Combine(pki.Directory, "private", MultiNodeFixture.StaticDevice + ".key")}
            connect-retry 1 2
            verb 3

            """);
        return OpenVpnClient.Start(env.Topology.Client, MultiNodeFixture.StaticDevice, "fvlb0", path, env.TempDirectory, output);
    }

    private async Task AssertBackendReachesStaticDeviceViaAsync(int node)
    {
        var expected = $"via {MultiNodeTopology.NodeBackendAddress(node)}";
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        string route;
        while (!(route = await env.Topology.RouterRouteAsync(MultiNodeFixture.StaticAddress)).Contains(expected, StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            await Task.Delay(250);
        Assert.True(route.Contains(expected, StringComparison.Ordinal),
            $"the backend router's route to {MultiNodeFixture.StaticAddress} is '{route}', not {expected} (node {node})");
        output.WriteLine($"router: {route}");
        var ping = await Net.PingAsync(env.Topology.Backend, MultiNodeFixture.StaticAddress, count: 3);
        Assert.True(ping.Succeeded, $"the backend host cannot reach {MultiNodeFixture.StaticAddress} through node {node}:\n{ping}");
    }

    private Task<SwarmRun> RunSwarmAsync(int devices, int durationSeconds, double ramp, double pingInterval, TimeSpan limit,
        string scenario = "steady", int settleSeconds = 20) =>
        SwarmRun.RunAsync(env.Topology.Client, env.TempDirectory,
        [
            "--remote", $"{MultiNodeTopology.Vip}:{Port}",
            "--clients", devices.ToString(CultureInfo.InvariantCulture),
            "--pki", env.Pki.Directory,
            "--sources", MultiNodeTopology.DeviceSources,
            "--ramp", ramp.ToString(CultureInfo.InvariantCulture),
            "--duration", durationSeconds.ToString(CultureInfo.InvariantCulture),
            "--scenario", scenario,
            "--ping-target", MultiNodeTopology.BackendHost,
            "--ping-interval", pingInterval.ToString(CultureInfo.InvariantCulture),
            "--settle", settleSeconds.ToString(CultureInfo.InvariantCulture),
        ], limit, output);

    private static void AssertAllConnected(SwarmRun run, int devices, Nodes nodes)
    {
        Assert.True(run.Summary is not null, $"the swarm wrote no JSON summary.\n{run.Result}");
        Assert.True(run.Number("connected") == devices && run.Number("failed") == 0 && run.Number("never_connected") == 0,
            $"connected {run.Number("connected")}/{devices}, failed {run.Number("failed")}, failures {run.Failures}\n" +
            string.Join('\n', nodes.Servers.Select(s => s.Process.Describe(20))));
        Assert.Equal(0, run.ExitCode);
    }

    /// <summary>The common names that connected to <paramref name="server"/> ("CN/address:port connected, assigned …").</summary>
    private static int DevicesOn(ServerProcess server) => NewConnections(server, 0).Distinct(StringComparer.Ordinal).Count();

    private static HashSet<string> DevicesOnNode(Nodes nodes, int node) => NewConnections(nodes.Servers[node - 1], 0).ToHashSet(StringComparer.Ordinal);

    private static int NodeHolding(Nodes nodes, string commonName) =>
        Enumerable.Range(1, nodes.Servers.Count).FirstOrDefault(n => DevicesOnNode(nodes, n).Contains(commonName));

    /// <summary>(common name, tunnel address) of each connection <paramref name="server"/> logged.</summary>
    private static IEnumerable<(string CommonName, string Address)> AssignedAddresses(ServerProcess server)
    {
        foreach (var line in server.Log.Lines.Where(l => l.Contains(ConnectedMarker, StringComparison.Ordinal)))
        {
            int at = line.IndexOf(ConnectedMarker, StringComparison.Ordinal);
            int start = line.LastIndexOf(' ', at - 1) + 1;
            var address = line[(at + ConnectedMarker.Length)..].Split(',')[0];
            yield return (line[start..at].Split('/')[0], address);
        }
    }

    /// <summary>True when <paramref name="address"/> lies in node <paramref name="node"/>'s /18 (10.8.64·N.0/18).</summary>
    private static bool InBlock(string address, int node)
    {
        var octets = address.Split('.');
        return octets.Length == 4 && octets[0] == "10" && octets[1] == "8"
            && int.TryParse(octets[2], NumberStyles.None, CultureInfo.InvariantCulture, out var third) && third / 64 == node;
    }

    /// <summary>The common names of the connections <paramref name="server"/> logged after its first <paramref name="skip"/> ones.</summary>
    private static IEnumerable<string> NewConnections(ServerProcess server, int skip)
    {
        foreach (var line in server.Log.Lines.Where(l => l.Contains(ConnectedMarker, StringComparison.Ordinal)).Skip(skip))
        {
            int at = line.IndexOf(ConnectedMarker, StringComparison.Ordinal);
            int start = line.LastIndexOf(' ', at - 1) + 1;
            yield return line[start..at].Split('/')[0];
        }
    }
}
