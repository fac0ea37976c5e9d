using System.Text.RegularExpressions;

namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>Network checks run inside the test namespaces.</summary>
public static partial class Net
{
    /// <summary>The tunnel's server address (first address of <c>server 10.8.0.0 255.255.255.0</c>).</summary>
    public const string ServerTunnelAddress = "10.8.0.1";

    /// <summary>The first address the pool gives a client.</summary>
    public const string FirstClientAddress = "10.8.0.2";

    /// <summary><c>ping -c COUNT -i 0.3 -W 2 ADDRESS</c> in <paramref name="ns"/>; bounded by ping's own deadline and a 30 s limit.</summary>
    public static Task<CommandResult> PingAsync(string ns, string address, int count = 3) =>
        Commands.Exec(ns, TimeSpan.FromSeconds(30), "ping", "-c", count.ToString(), "-i", "0.3", "-W", "2", "-w", (count * 2 + 4).ToString(), address);

    /// <summary>The IPv4 addresses (with prefix length, e.g. "10.8.0.2/24") on <paramref name="device"/> in <paramref name="ns"/>.</summary>
    public static async Task<IReadOnlyList<string>> Ipv4AddressesAsync(string ns, string device)
    {
        var result = await Commands.Ip("-n", ns, "-4", "addr", "show", "dev", device);
        if (!result.Succeeded) return [];
        return InetPattern().Matches(result.StandardOutput).Select(m => m.Groups[1].Value).ToArray();
    }

    [GeneratedRegex(@"\binet (\d+\.\d+\.\d+\.\d+/\d+)")]
    private static partial Regex InetPattern();
}
