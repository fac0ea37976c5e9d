using System.Globalization;

namespace FleetVpn.Server.Diagnostics;

/// <summary>
/// A network interface's counters from /proc/net/dev. For the tun device the kernel counts what FleetVPN writes
/// into it as received (clients' packets, decrypted) and what it reads out as transmitted (packets for clients),
/// so the tunnel's traffic is known on a scrape without a counter on the data path.
/// </summary>
public readonly record struct InterfaceTraffic(long ReceivedBytes, long ReceivedPackets, long TransmittedBytes, long TransmittedPackets)
{
    /// <summary>The interface's counters, or null when /proc/net/dev does not list it.</summary>
    public static InterfaceTraffic? Read(SystemFiles files, string interfaceName)
    {
        var text = files.ReadText("/proc/net/dev");
        if (text is null) return null;
        foreach (var line in text.Split('\n'))
        {
            int colon = line.IndexOf(':');
            if (colon < 0 || line.AsSpan(0, colon).Trim().ToString() != interfaceName) continue;
            // bytes packets errs drop fifo frame compressed multicast | bytes packets ...
            var fields = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 10) return null;
            return new InterfaceTraffic(Number(fields[0]), Number(fields[1]), Number(fields[8]), Number(fields[9]));
        }
        return null;
    }

    private static long Number(string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : 0;
}
