using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace FleetVpn.Swarm;

/// <summary>
/// Where each simulated client's datagrams come from. Three plans:
/// <list type="bullet">
/// <item><b>Own address</b>: when the source range has an address for every client (<c>--sources CIDR</c>, and by default
/// 127.0.0.0/8 from 127.0.0.2 when the remote is loopback: every 127/8 address is local on Linux), client i sends from
/// the i-th address through a few shared sockets (<see cref="SwarmSockets"/>): no kernel socket per client, so a fleet
/// is not bounded by the open-file limit or the ephemeral port range.</item>
/// <item><b>Spread</b>: a CIDR smaller than the fleet: one connected socket per client, bound round-robin to its hosts.</item>
/// <item><b>Any</b>: no range (a non-loopback remote without <c>--sources</c>): one connected socket per client, the kernel
/// picks the source address and port; about 28,000 clients at most (the ephemeral port range).</item>
/// </list>
/// </summary>
public sealed class SourceAddressPlan
{
    private SourceAddressPlan(IReadOnlyList<IPAddress> spread, uint firstOwn, int ownCount)
    {
        Sources = spread;
        FirstOwnAddress = firstOwn;
        OwnAddressCount = ownCount;
    }

    /// <summary>Each client has its own source address: <see cref="FirstOwnAddress"/> + its index.</summary>
    public bool OwnAddresses => OwnAddressCount > 0;

    /// <summary>The first client's address (host byte order) when <see cref="OwnAddresses"/>.</summary>
    public uint FirstOwnAddress { get; }

    /// <summary>How many clients have their own address.</summary>
    public int OwnAddressCount { get; }

    /// <summary>The addresses the connected sockets bind to round-robin (the spread plan); empty otherwise.</summary>
    public IReadOnlyList<IPAddress> Sources { get; }

    /// <summary>The address client <paramref name="index"/>'s connected socket binds to (spread plan), or null (any).</summary>
    public IPAddress? For(int index) => Sources.Count == 0 ? null : Sources[index % Sources.Count];

    /// <summary>The own address of client <paramref name="index"/> (host byte order).</summary>
    public uint OwnAddressOf(int index) => FirstOwnAddress + (uint)index;

    /// <summary>The client whose own address is <paramref name="address"/> (host byte order), or -1.</summary>
    public int ClientOf(uint address)
    {
        uint offset = address - FirstOwnAddress;
        return offset < (uint)OwnAddressCount ? (int)offset : -1;
    }

    /// <summary>One line for the progress output.</summary>
    public string Describe() =>
        OwnAddresses ? $"one source address per client, {ToAddress(FirstOwnAddress)} to {ToAddress(FirstOwnAddress + (uint)OwnAddressCount - 1)}, on shared sockets"
        : Sources.Count > 0 ? $"{Sources.Count} source addresses ({Sources[0]} …), one socket per client"
        : "one socket per client, source chosen by the kernel";

    /// <summary>One fixed source address for every client's connected socket.</summary>
    public static SourceAddressPlan Fixed(IPAddress source) => new([source], 0, 0);

    public static SourceAddressPlan Create(IPAddress remote, int clients, string? sourcesCidr)
    {
        if (sourcesCidr is null)
        {
            if (!IPAddress.IsLoopback(remote) || remote.AddressFamily != AddressFamily.InterNetwork) return new([], 0, 0);
            sourcesCidr = "127.0.0.0/8";
        }
        var (first, count) = HostRange(sourcesCidr);
        // 127.0.0.1 is left to the server on the default loopback range.
        if (sourcesCidr == "127.0.0.0/8") { first++; count--; }
        if (count >= (ulong)clients) return new([], first, clients);
        return new(Hosts(sourcesCidr, (int)Math.Min(count, (ulong)Math.Min(clients, 65536))), 0, 0);
    }

    /// <summary>The usable host addresses of an IPv4 CIDR (network and broadcast excluded below /31), at most <paramref name="limit"/>.</summary>
    public static List<IPAddress> Hosts(string cidr, int limit)
    {
        var (first, count) = HostRange(cidr);
        var list = new List<IPAddress>();
        for (ulong i = 0; i < count && list.Count < limit; i++) list.Add(ToAddress(first + (uint)i));
        return list;
    }

    /// <summary>The first host address (host byte order) of an IPv4 CIDR and how many hosts it has.</summary>
    private static (uint First, ulong Count) HostRange(string cidr)
    {
        var slash = cidr.IndexOf('/');
        if (slash < 0 || !IPAddress.TryParse(cidr[..slash], out var network) || network.AddressFamily != AddressFamily.InterNetwork
            || !int.TryParse(cidr[(slash + 1)..], out int prefix) || prefix is < 0 or > 32)
            throw new FormatException($"'{cidr}' is not an IPv4 CIDR such as 127.0.0.0/24");
        uint mask = prefix == 0 ? 0 : uint.MaxValue << (32 - prefix);
        uint first = IcmpEcho.ToUInt32(network) & mask;
        ulong size = 1UL << (32 - prefix);
        return prefix < 31 ? (first + 1, size - 2) : (first, size);
    }

    private static IPAddress ToAddress(uint value)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, value);
        return new IPAddress(b);
    }
}
