namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The multi-node deployment of docs/multi-node.md in network namespaces made for one test class (names
/// <c>fve2e-PID-RAND-lb-ROLE</c>, removed as stale by <see cref="NetworkNamespacePair.RemoveStaleAsync"/>):
/// <code>
/// cli  10.77.0.2 (+ 10.60.0.0/16 local: the swarm's devices) ── veth ── lb 10.77.0.1 (the VIP)
/// lb   bridge 10.90.0.1/24 ── n1 10.90.0.11, n2 10.90.0.12, n3 10.90.0.13 (FleetVPN, default route via the lb)
/// nodes 10.91.0.1N/24 ── bridge in rtr 10.91.0.1/24 (BIRD: BGP from each node's BIRD)
/// rtr  192.168.50.1/24 ── veth ── bk 192.168.50.10 (the backend host)
/// </code>
/// Only addresses inside these namespaces are used; everything is deleted on dispose.
/// </summary>
public sealed class MultiNodeTopology : IAsyncDisposable
{
    public const string Vip = "10.77.0.1";
    public const string ClientAddress = "10.77.0.2";
    public const string DeviceSources = "10.60.0.0/16";
    public const string BackendHost = "192.168.50.10";
    public const string FleetMask = "255.255.0.0";
    public const int Nodes = 3;
    public const int MetricsPort = 9469;
    public const string TunDevice = "tun0";

    private readonly List<string> _created = [];

    private MultiNodeTopology(string id)
    {
        Client = Name(id, "cli");
        LoadBalancer = Name(id, "lb");
        Router = Name(id, "rtr");
        Backend = Name(id, "bk");
        NodeNamespaces = Enumerable.Range(1, Nodes).Select(i => Name(id, $"n{i}")).ToArray();
    }

    public string Client { get; }
    public string LoadBalancer { get; }
    public string Router { get; }
    public string Backend { get; }
    public IReadOnlyList<string> NodeNamespaces { get; }

    /// <summary>Node <paramref name="node"/>'s (1-based) address on the load balancer's side.</summary>
    public static string NodeAddress(int node) => $"10.90.0.{10 + node}";

    /// <summary>Node <paramref name="node"/>'s address on the backend network.</summary>
    public static string NodeBackendAddress(int node) => $"10.91.0.{10 + node}";

    public static async Task<MultiNodeTopology> CreateAsync()
    {
        await NetworkNamespacePair.RemoveStaleAsync();
        var id = $"{Environment.ProcessId}-{Convert.ToHexString(Guid.NewGuid().ToByteArray(), 0, 2).ToLowerInvariant()}";
        var topology = new MultiNodeTopology(id);
        try
        {
            await topology.BuildAsync();
            return topology;
        }
        catch
        {
            await topology.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var ns in _created)
        {
            // Whatever this class started inside is stopped by its owner first; what is left (a BIRD that did not
            // stop) goes with the namespace's PIDs.
            var pids = await Commands.Ip("netns", "pids", ns);
            foreach (var p in pids.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                if (int.TryParse(p.Trim(), out var pid)) ProcessKiller.Kill(pid);
            await Commands.Ip("netns", "del", ns);
            CleanupRegistry.RemoveNamespace(ns);
        }
        _created.Clear();
    }

    private static string Name(string id, string role) => $"{NetworkNamespacePair.Prefix}{id}-lb-{role}";

    private async Task BuildAsync()
    {
        foreach (var ns in new[] { Client, LoadBalancer, Router, Backend }.Concat(NodeNamespaces))
        {
            CleanupRegistry.AddNamespace(ns);
            _created.Add(ns);
            await Commands.IpChecked("netns", "add", ns);
            await Commands.IpChecked("-n", ns, "link", "set", "lo", "up");
        }

        // Devices: the client namespace owns 10.60.0.0/16 (a local route, as 127/8 is), the load balancer routes it back.
        await VethAsync(Client, "fvlb-c", $"{ClientAddress}/24", LoadBalancer, "fvlb-l", $"{Vip}/24");
        await Commands.IpChecked("-n", Client, "route", "add", "local", DeviceSources, "dev", "lo");
        await Commands.IpChecked("-n", LoadBalancer, "route", "add", DeviceSources, "via", ClientAddress);

        // The nodes behind the load balancer, and on the backend network.
        await BridgeAsync(LoadBalancer, "fvlb-fr", "10.90.0.1/24");
        await BridgeAsync(Router, "fvlb-bk", "10.91.0.1/24");
        for (int node = 1; node <= Nodes; node++)
        {
            var ns = NodeNamespaces[node - 1];
            await VethAsync(ns, "fvlb-up", $"{NodeAddress(node)}/24", LoadBalancer, $"fvlb-n{node}", null);
            await Commands.IpChecked("-n", LoadBalancer, "link", "set", $"fvlb-n{node}", "master", "fvlb-fr");
            await VethAsync(ns, "fvlb-dn", $"{NodeBackendAddress(node)}/24", Router, $"fvlb-b{node}", null);
            await Commands.IpChecked("-n", Router, "link", "set", $"fvlb-b{node}", "master", "fvlb-bk");
            // Answers to devices go back through the load balancer (it puts the VIP on them); the backend is routed.
            await Commands.IpChecked("-n", ns, "route", "add", "default", "via", "10.90.0.1");
            await Commands.IpChecked("-n", ns, "route", "add", "192.168.50.0/24", "via", "10.91.0.1");
            await Net.SetIpForwardingAsync(ns, true);
        }
        await VethAsync(Router, "fvlb-r", "192.168.50.1/24", Backend, "fvlb-h", $"{BackendHost}/24");
        await Commands.IpChecked("-n", Backend, "route", "add", "default", "via", "192.168.50.1");
        await Net.SetIpForwardingAsync(LoadBalancer, true);
        await Net.SetIpForwardingAsync(Router, true);

        foreach (var (from, to) in new[] { (Client, Vip) }.Concat(Enumerable.Range(1, Nodes).SelectMany(n => new[]
                     { (NodeNamespaces[n - 1], "10.90.0.1"), (NodeNamespaces[n - 1], "10.91.0.1"), (NodeNamespaces[n - 1], BackendHost) })))
        {
            var ping = await Commands.Exec(from, "ping", "-c", "1", "-W", "1", "-w", "3", to);
            if (!ping.Succeeded) throw new InvalidOperationException($"the multi-node topology does not carry {from} → {to}:\n{ping}");
        }
    }

    private static async Task VethAsync(string nsA, string devA, string? addressA, string nsB, string devB, string? addressB)
    {
        await Commands.IpChecked("link", "add", devA, "netns", nsA, "type", "veth", "peer", "name", devB, "netns", nsB);
        if (addressA is not null) await Commands.IpChecked("-n", nsA, "addr", "add", addressA, "dev", devA);
        if (addressB is not null) await Commands.IpChecked("-n", nsB, "addr", "add", addressB, "dev", devB);
        await Commands.IpChecked("-n", nsA, "link", "set", devA, "up");
        await Commands.IpChecked("-n", nsB, "link", "set", devB, "up");
    }

    private static async Task BridgeAsync(string ns, string bridge, string address)
    {
        await Commands.IpChecked("-n", ns, "link", "add", bridge, "type", "bridge");
        await Commands.IpChecked("-n", ns, "addr", "add", address, "dev", bridge);
        await Commands.IpChecked("-n", ns, "link", "set", bridge, "up");
    }

    /// <summary>
    /// Node <paramref name="node"/>'s BIRD configuration: deploy/bird-node.conf (written for node 2 of these very
    /// addresses) with the node's own address and block, so that the deployed file is the one tested.
    /// </summary>
    public static string NodeBirdConfig(int node, string block) =>
        DeployFile("bird-node.conf").Replace("10.91.0.12", NodeBackendAddress(node), StringComparison.Ordinal)
            .Replace("10.8.128.0/18", block, StringComparison.Ordinal);

    /// <summary>The backend router's BIRD configuration: deploy/bird-router.conf as it is (its addresses are these).</summary>
    public static string RouterBirdConfig() => DeployFile("bird-router.conf");

    private static string DeployFile(string name)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "FleetVpn.slnx")))
                return File.ReadAllText(Path.Combine(directory.FullName, "deploy", name));
        }
        throw new FileNotFoundException($"deploy/{name}: no FleetVpn.slnx above {AppContext.BaseDirectory}");
    }

    /// <summary>The router's kernel route to <paramref name="prefix"/> (e.g. "10.8.0.50"), as `ip route` prints it, or "".</summary>
    public async Task<string> RouterRouteAsync(string prefix)
    {
        var result = await Commands.Ip("-n", Router, "route", "show", prefix);
        return result.StandardOutput.Trim();
    }
}
