using System.Globalization;

namespace FleetVpn.Server.Diagnostics;

/// <summary>
/// The kernel's UDP counters since boot for one address family, from /proc/net/snmp ("Udp:" header and value
/// lines) and /proc/net/snmp6 ("Udp6InErrors 0" lines): what the kernel dropped before FleetVPN saw it.
/// /proc/net follows the reading process's network namespace.
/// </summary>
public sealed record KernelUdpCounters(long InDatagrams, long InErrors, long ReceiveBufferErrors, long SendBufferErrors)
{
    /// <summary>IPv4 (/proc/net/snmp); null when the file or its Udp lines are missing.</summary>
    public static KernelUdpCounters? ReadIPv4(SystemFiles files)
    {
        var text = files.ReadText("/proc/net/snmp");
        if (text is null) return null;
        string[]? names = null;
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith("Udp: ", StringComparison.Ordinal)) continue;
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..];
            if (names is null)
            {
                names = fields;
                continue;
            }
            var values = names.Zip(fields).ToDictionary(p => p.First, p => Number(p.Second));
            return FromValues(values);
        }
        return null;
    }

    /// <summary>IPv6 (/proc/net/snmp6); null when the file is missing (IPv6 disabled).</summary>
    public static KernelUdpCounters? ReadIPv6(SystemFiles files)
    {
        var text = files.ReadText("/proc/net/snmp6");
        if (text is null) return null;
        var values = new Dictionary<string, long>();
        foreach (var line in text.Split('\n'))
        {
            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 2 && fields[0].StartsWith("Udp6", StringComparison.Ordinal)) values[fields[0][4..]] = Number(fields[1]);
        }
        return values.Count == 0 ? null : FromValues(values);
    }

    private static KernelUdpCounters FromValues(Dictionary<string, long> values) => new(
        values.GetValueOrDefault("InDatagrams"),
        values.GetValueOrDefault("InErrors"),
        values.GetValueOrDefault("RcvbufErrors"),
        values.GetValueOrDefault("SndbufErrors"));

    private static long Number(string text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : 0;
}
