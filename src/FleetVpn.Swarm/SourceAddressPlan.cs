using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace FleetVpn.Swarm;

/// <summary>
/// Which local address each simulated client's UDP socket binds to. One address gives at most the
/// ephemeral port range (32768–60999 by default, about 28,000 ports), so past
/// <see cref="ClientsPerSource"/> clients they are spread round-robin over several sources: the
/// hosts of <c>--sources CIDR</c>, or, when the remote is loopback, 127.0.0.2, 127.0.0.3, …
/// (every 127/8 address is local on Linux).
/// </summary>
public sealed class SourceAddressPlan
{
    /// <summary>Clients per source address, safely below the default ephemeral port range.</summary>
    public const int ClientsPerSource = 25_000;

    private SourceAddressPlan(IReadOnlyList<IPAddress> sources) => Sources = sources;

    /// <summary>The source addresses in use; empty = bind to any address (the kernel picks the source).</summary>
    public IReadOnlyList<IPAddress> Sources { get; }

    /// <summary>The address client <paramref name="index"/> binds to, or null for any.</summary>
    public IPAddress? For(int index) => Sources.Count == 0 ? null : Sources[index % Sources.Count];

    public static SourceAddressPlan Create(IPAddress remote, int clients, string? sourcesCidr)
    {
        int needed = Math.Max(1, (clients + ClientsPerSource - 1) / ClientsPerSource);
        if (sourcesCidr is not null)
        {
            var hosts = Hosts(sourcesCidr, Math.Max(needed, Math.Min(clients, 65536)));
            return new SourceAddressPlan(hosts);
        }
        if (clients > ClientsPerSource && IPAddress.IsLoopback(remote) && remote.AddressFamily == AddressFamily.InterNetwork)
        {
            var list = new List<IPAddress>(needed);
            for (int i = 0; i < needed; i++) list.Add(FromUInt32(0x7F000002u + (uint)i));
            return new SourceAddressPlan(list);
        }
        return new SourceAddressPlan([]);
    }

    /// <summary>The usable host addresses of an IPv4 CIDR (network and broadcast excluded below /31), at most <paramref name="limit"/>.</summary>
    public static List<IPAddress> Hosts(string cidr, int limit)
    {
        var slash = cidr.IndexOf('/');
        if (slash < 0 || !IPAddress.TryParse(cidr[..slash], out var network) || network.AddressFamily != AddressFamily.InterNetwork
            || !int.TryParse(cidr[(slash + 1)..], out int prefix) || prefix is < 0 or > 32)
            throw new FormatException($"'{cidr}' is not an IPv4 CIDR such as 127.0.0.0/24");
        uint mask = prefix == 0 ? 0 : uint.MaxValue << (32 - prefix);
        uint first = IcmpEcho.ToUInt32(network) & mask;
        ulong size = 1UL << (32 - prefix);
        ulong start = 0, end = size;
        if (prefix < 31) { start = 1; end = size - 1; }
        var list = new List<IPAddress>();
        for (ulong i = start; i < end && list.Count < limit; i++) list.Add(FromUInt32(first + (uint)i));
        if (list.Count == 0) throw new FormatException($"'{cidr}' has no host address");
        return list;
    }

    private static IPAddress FromUInt32(uint value)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, value);
        return new IPAddress(b);
    }
}
