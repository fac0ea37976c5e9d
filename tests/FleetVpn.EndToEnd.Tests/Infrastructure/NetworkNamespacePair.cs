using System.Globalization;

namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Two network namespaces made for one test class, joined by a veth pair:
/// <c>&lt;prefix&gt;-srv</c> (veth <see cref="ServerVeth"/>, <see cref="ServerAddress"/>/24) and
/// <c>&lt;prefix&gt;-cli</c> (veth <see cref="ClientVeth"/>, <see cref="ClientAddress"/>/24).
/// Both veth ends are created directly inside the namespaces; nothing is added to the host's
/// namespace. Deleted on dispose; namespaces left by a dead test run are removed on creation.
/// </summary>
public sealed class NetworkNamespacePair : IDisposable
{
    /// <summary>Prefix of every namespace this harness creates: "fve2e-&lt;pid of the test host&gt;-&lt;random&gt;-srv|cli".</summary>
    public const string Prefix = "fve2e-";

    public const string ServerVeth = "fve2e-s";
    public const string ClientVeth = "fve2e-c";

    private bool _disposed;

    private NetworkNamespacePair(string server, string client, int subnet)
    {
        Server = server;
        Client = client;
        Subnet = subnet;
    }

    /// <summary>Name of the server's namespace.</summary>
    public string Server { get; }

    /// <summary>Name of the client's namespace.</summary>
    public string Client { get; }

    /// <summary>X of the 10.77.X.0/24 network on the veth pair.</summary>
    public int Subnet { get; }

    public string ServerAddress => $"10.77.{Subnet}.1";
    public string ClientAddress => $"10.77.{Subnet}.2";

    public static async Task<NetworkNamespacePair> CreateAsync()
    {
        await RemoveStaleAsync();

        var id = $"{Environment.ProcessId}-{Convert.ToHexString(Guid.NewGuid().ToByteArray(), 0, 2).ToLowerInvariant()}";
        var subnet = Random.Shared.Next(1, 250);
        var pair = new NetworkNamespacePair($"{Prefix}{id}-srv", $"{Prefix}{id}-cli", subnet);
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
        CleanupRegistry.AddNamespace(Client);
        await Commands.IpChecked("netns", "add", Server);
        await Commands.IpChecked("netns", "add", Client);
        await Commands.IpChecked("-n", Server, "link", "set", "lo", "up");
        await Commands.IpChecked("-n", Client, "link", "set", "lo", "up");
        await Commands.IpChecked("link", "add", ServerVeth, "netns", Server, "type", "veth", "peer", "name", ClientVeth, "netns", Client);
        await Commands.IpChecked("-n", Server, "addr", "add", $"{ServerAddress}/24", "dev", ServerVeth);
        await Commands.IpChecked("-n", Client, "addr", "add", $"{ClientAddress}/24", "dev", ClientVeth);
        await Commands.IpChecked("-n", Server, "link", "set", ServerVeth, "up");
        await Commands.IpChecked("-n", Client, "link", "set", ClientVeth, "up");

        // The veth link is usable once a ping crosses it (bounded: 3 tries of 1 s).
        var ping = await Commands.Exec(Client, "ping", "-c", "1", "-W", "1", "-w", "3", ServerAddress);
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
        foreach (var ns in new[] { Server, Client })
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
    }
}
