using System.Globalization;
using System.Text.RegularExpressions;

namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>Network checks run inside the test namespaces.</summary>
public static partial class Net
{
    /// <summary>The tunnel's server address (first address of <c>server 10.8.0.0 255.255.255.0</c>).</summary>
    public const string ServerTunnelAddress = "10.8.0.1";

    /// <summary>The first address the pool gives a client.</summary>
    public const string FirstClientAddress = "10.8.0.2";

    /// <summary>
    /// <c>ping -c COUNT -i 0.3 -W 2 -w DEADLINE ADDRESS</c> in <paramref name="ns"/>; bounded by ping's own deadline
    /// (default COUNT × 2 + 4 s; a shorter one for pings expected to fail) and a 30 s limit.
    /// </summary>
    public static Task<CommandResult> PingAsync(string ns, string address, int count = 3, int? deadlineSeconds = null) =>
        Commands.Exec(ns, TimeSpan.FromSeconds(30), "ping", "-c", count.ToString(), "-i", "0.3", "-W", "2",
            "-w", (deadlineSeconds ?? count * 2 + 4).ToString(), address);

    /// <summary>The IPv4 addresses (with prefix length, e.g. "10.8.0.2/24") on <paramref name="device"/> in <paramref name="ns"/>.</summary>
    public static async Task<IReadOnlyList<string>> Ipv4AddressesAsync(string ns, string device)
    {
        var result = await Commands.Ip("-n", ns, "-4", "addr", "show", "dev", device);
        if (!result.Succeeded) return [];
        return InetPattern().Matches(result.StandardOutput).Select(m => m.Groups[1].Value).ToArray();
    }

    /// <summary>The tunnel address (10.8.x.y, without prefix) on <paramref name="device"/> in <paramref name="ns"/>, or null.</summary>
    public static async Task<string?> TunnelAddressAsync(string ns, string device) =>
        (await Ipv4AddressesAsync(ns, device)).Where(a => a.StartsWith("10.8.", StringComparison.Ordinal))
            .Select(a => a.Split('/')[0]).FirstOrDefault();

    /// <summary>
    /// A continuous ping: <paramref name="count"/> echo requests every <paramref name="intervalSeconds"/> s
    /// (each answer awaited at most 2 s), in <paramref name="ns"/>. Bounded by the count and a limit of
    /// count × interval + 20 s. Returns how many were sent and answered.
    /// </summary>
    public static async Task<PingTally> PingSeriesAsync(string ns, string address, int count, double intervalSeconds)
    {
        var interval = intervalSeconds.ToString("0.0##", CultureInfo.InvariantCulture);
        var limit = TimeSpan.FromSeconds(count * intervalSeconds + 20);
        var result = await Commands.Exec(ns, limit, "ping", "-q", "-c", count.ToString(CultureInfo.InvariantCulture), "-i", interval, "-W", "2", address);
        var match = PingSummaryPattern().Match(result.StandardOutput);
        if (!match.Success) throw new InvalidOperationException("ping printed no summary line:\n" + result);
        return new PingTally(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture),
            int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture), result);
    }

    /// <summary>Sets <c>net.ipv4.ip_forward</c> inside <paramref name="ns"/> (each namespace has its own).</summary>
    public static async Task SetIpForwardingAsync(string ns, bool on)
    {
        var result = await Commands.Exec(ns, "sysctl", "-w", $"net.ipv4.ip_forward={(on ? 1 : 0)}");
        if (!result.Succeeded) throw new InvalidOperationException(result.ToString());
        var check = await Commands.Exec(ns, "sysctl", "-n", "net.ipv4.ip_forward");
        if (check.StandardOutput.Trim() != (on ? "1" : "0")) throw new InvalidOperationException("ip_forward did not change:\n" + check);
    }

    [GeneratedRegex(@"\binet (\d+\.\d+\.\d+\.\d+/\d+)")]
    private static partial Regex InetPattern();

    // "170 packets transmitted, 169 received, +1 errors, 0.588235% packet loss, time 34012ms"
    [GeneratedRegex(@"(\d+) packets transmitted, (\d+) (?:packets )?received")]
    private static partial Regex PingSummaryPattern();
}
