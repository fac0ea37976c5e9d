using System.Globalization;

namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Two network namespaces made for one test class, joined by a veth pair:
/// <c>&lt;prefix&gt;-srv</c> (veth <see cref="ServerVeth"/>, <see cref="ServerAddress"/>/24) and
/// <c>&lt;prefix&gt;-cli</c> (veth <see cref="ClientVeth"/>, <see cref="ClientAddress"/>/24).
/// Tests that need clients on separate hosts ask for more client namespaces with
/// <see cref="ClientSideAsync"/>: client namespace N (2, 3, ...) is <c>&lt;prefix&gt;-cliN</c>, joined to the
/// server namespace by its own veth pair (<c>fve2e-sN</c> / <c>fve2e-cN</c>) on 10.(76+N).X.0/24.
/// All veth ends are created directly inside the namespaces; nothing is added to the host's
/// namespace. Deleted on dispose; namespaces left by a dead test run are removed on creation.
/// </summary>
public sealed class NetworkNamespacePair : IDisposable
{
    /// <summary>Prefix of every namespace this harness creates: "fve2e-&lt;pid of the test host&gt;-&lt;random&gt;-srv|cli".</summary>
    public const string Prefix = "fve2e-";

    public const string ServerVeth = "fve2e-s";
    public const string ClientVeth = "fve2e-c";

    /// <summary>The most client namespaces one pair makes (a bound on what a test can ask for).</summary>
    public const int MaxClientSides = 8;

    private readonly string _id;
    private readonly List<ClientSide> _clientSides = [];
    private readonly SemaphoreSlim _clientSidesGate = new(1, 1);
    private readonly List<string> _created = []; // every namespace this pair added, deleted on dispose
    private bool _disposed;

    private NetworkNamespacePair(string id, int subnet)
    {
        _id = id;
        Server = $"{Prefix}{id}-srv";
        Client = $"{Prefix}{id}-cli";
        Subnet = subnet;
        _clientSides.Add(new ClientSide(1, Client, ClientAddress, ServerAddress));
    }

    /// <summary>Name of the server's namespace.</summary>
    public string Server { get; }

    /// <summary>Name of the client's namespace.</summary>
    public string Client { get; }

    /// <summary>X of the 10.77.X.0/24 network on the veth pair.</summary>
    public int Subnet { get; }

    public string ServerAddress => $"10.77.{Subnet}.1";
    public string ClientAddress => $"10.77.{Subnet}.2";

    /// <summary>The first client namespace (<see cref="Client"/>), the one every test has.</summary>
    public ClientSide FirstClient => _clientSides[0];

    /// <summary>
    /// Client namespace number <paramref name="number"/> (1 = <see cref="FirstClient"/>), created with
    /// its veth pair on first use and kept until the pair is disposed; asking for N creates 2..N as needed.
    /// </summary>
    public async Task<ClientSide> ClientSideAsync(int number)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(number, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(number, MaxClientSides);
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _clientSidesGate.WaitAsync();
        try
        {
            while (_clientSides.Count < number)
            {
                var n = _clientSides.Count + 1;
                var side = new ClientSide(n, $"{Prefix}{_id}-cli{n}", $"10.{76 + n}.{Subnet}.2", $"10.{76 + n}.{Subnet}.1");
                await BuildLinkAsync(side.Namespace, $"{ServerVeth}{n}", $"{ClientVeth}{n}", side.ServerAddress, side.Address);
                _clientSides.Add(side);
            }
            return _clientSides[number - 1];
        }
        finally
        {
            _clientSidesGate.Release();
        }
    }

    public static async Task<NetworkNamespacePair> CreateAsync()
    {
        await RemoveStaleAsync();

        var id = $"{Environment.ProcessId}-{Convert.ToHexString(Guid.NewGuid().ToByteArray(), 0, 2).ToLowerInvariant()}";
        var subnet = Random.Shared.Next(1, 250);
        var pair = new NetworkNamespacePair(id, subnet);
        try
        {
            await pair.BuildAsync();
            return pair;
        }
        catch
        {
            pair.Dispose();
            throw;
        }
    }

    private async Task BuildAsync()
    {
        CleanupRegistry.AddNamespace(Server);
        lock (_created) _created.Add(Server);
        await Commands.IpChecked("netns", "add", Server);
        await Commands.IpChecked("-n", Server, "link", "set", "lo", "up");
        await BuildLinkAsync(Client, ServerVeth, ClientVeth, ServerAddress, ClientAddress);
    }

    /// <summary>Creates client namespace <paramref name="clientNs"/> and a veth pair between it and the server namespace.</summary>
    private async Task BuildLinkAsync(string clientNs, string serverVeth, string clientVeth, string serverAddress, string clientAddress)
    {
        CleanupRegistry.AddNamespace(clientNs);
        lock (_created) _created.Add(clientNs);
        await Commands.IpChecked("netns", "add", clientNs);
        await Commands.IpChecked("-n", clientNs, "link", "set", "lo", "up");
        await Commands.IpChecked("link", "add", serverVeth, "netns", Server, "type", "veth", "peer", "name", clientVeth, "netns", clientNs);
        await Commands.IpChecked("-n", Server, "addr", "add", $"{serverAddress}/24", "dev", serverVeth);
        await Commands.IpChecked("-n", clientNs, "addr", "add", $"{clientAddress}/24", "dev", clientVeth);
        await Commands.IpChecked("-n", Server, "link", "set", serverVeth, "up");
        await Commands.IpChecked("-n", clientNs, "link", "set", clientVeth, "up");

        // The veth link is usable once a ping crosses it (bounded: 3 tries of 1 s).
        var ping = await Commands.Exec(clientNs, "ping", "-c", "1", "-W", "1", "-w", "3", serverAddress);
        if (!ping.Succeeded) throw new InvalidOperationException("veth pair does not carry traffic:\n" + ping);
    }

    /// <summary>
    /// Deletes namespaces with <see cref="Prefix"/> whose creating test host is no longer alive
    /// (left by a killed run). Processes still inside them were started by that run of this
    /// harness; they are stopped by PID so that nothing of the dead run lingers.
    /// </summary>
    public static async Task RemoveStaleAsync()
    {
        var list = await Commands.Ip("netns", "list");
        foreach (var line in list.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = line.Split(' ', 2)[0];
            if (!name.StartsWith(Prefix, StringComparison.Ordinal)) continue;
            var owner = name[Prefix.Length..].Split('-')[0];
            if (int.TryParse(owner, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && ProcessKiller.IsAlive(pid))
                continue;

            var pids = await Commands.Ip("netns", "pids", name);
            foreach (var p in pids.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                if (int.TryParse(p.Trim(), out var stalePid)) ProcessKiller.Kill(stalePid);
            await Commands.Ip("netns", "del", name);
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        string[] namespaces;
        lock (_created) namespaces = _created.ToArray();
        foreach (var ns in namespaces)
        {
            try
            {
                // Deleting the namespace removes the veth pair and any tun device left in it.
                Commands.IpBlocking(TimeSpan.FromSeconds(10), "netns", "del", ns);
            }
            catch (Exception)
            {
                // Left for RemoveStaleAsync of the next run.
            }
            CleanupRegistry.RemoveNamespace(ns);
        }
        _clientSidesGate.Dispose();
    }
}
