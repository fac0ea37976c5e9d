using System.Numerics;

namespace FleetVpn.Server.Routing;

/// <summary>
/// The part of a fleet-wide `server NET MASK` network that one node of <c>fleet-node I K</c> hands out and that the
/// backend network routes to it. The network is cut into 2^b equal, aligned blocks, the fewest with 2^b ≥ K + 1:
/// block 0 holds the gateway (NET+1, the same on every node) and the ccd `ifconfig-push` static addresses, which
/// follow their device to any node as /32 routes; block I is node I's pool. Aligned blocks are single prefixes, so
/// the backend router needs one route per node (for K = 3, a /16 becomes four /18s).
/// </summary>
/// <param name="Network">The block's first address (host byte order).</param>
/// <param name="PrefixLength">The block's prefix length.</param>
public readonly record struct FleetSlice(uint Network, int PrefixLength)
{
    /// <summary>The most nodes one fleet may have (a /8 then gives each a /16).</summary>
    public const int MaxNodes = 255;

    /// <summary>A block must leave room for a node's pool: /29 or larger, as for `server`.</summary>
    public const int SmallestBlockPrefix = 29;

    public uint Mask => PrefixLength == 0 ? 0 : uint.MaxValue << (32 - PrefixLength);

    /// <summary>The block's last address (its broadcast address when it is the network's last block).</summary>
    public uint Last => Network | ~Mask;

    public bool Contains(uint address) => (address & Mask) == Network;

    /// <summary>How many bits of address the blocks add to the network's prefix for <paramref name="nodes"/> nodes.</summary>
    public static int BlockBits(int nodes) => 32 - BitOperations.LeadingZeroCount((uint)nodes);

    /// <summary>Node <paramref name="node"/>'s block (1-based), or block 0 (the gateway and the static addresses) for 0.</summary>
    public static FleetSlice Of(uint network, int prefixLength, int node, int nodes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(nodes, MaxNodes);
        ArgumentOutOfRangeException.ThrowIfNegative(node);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(node, nodes);
        int blockPrefix = prefixLength + BlockBits(nodes);
        if (blockPrefix > SmallestBlockPrefix)
            throw new ArgumentException($"a /{prefixLength} network cut for {nodes} nodes leaves /{blockPrefix} blocks; the smallest is /{SmallestBlockPrefix}");
        return new FleetSlice(network + ((uint)node << (32 - blockPrefix)), blockPrefix);
    }

    public override string ToString() => $"{AddressPool.ToAddress(Network)}/{PrefixLength}";
}
