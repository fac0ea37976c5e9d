using FleetVpn.Server.Routing;

namespace FleetVpn.Server.Config;

/// <summary>
/// <c>fleet-node I K</c> (FleetVPN; OpenVPN has none): this server is node I (1..K) of K servers behind one load
/// balancer, sharing the `server` network. Every node keeps NET+1 as its tun address and pushes the whole mask, so a
/// device sees the same gateway and subnet on any node; its pool is node I's <see cref="FleetSlice"/> only.
/// </summary>
internal static class FleetNodeDirective
{
    public static (int Node, int Nodes) Parse(ConfigDirective directive)
    {
        var arguments = DirectiveArguments.Expect(directive, 2, 2);
        int nodes = ConfigValues.Integer(directive, arguments[1], "fleet-node count", 1, FleetSlice.MaxNodes);
        int node = ConfigValues.Integer(directive, arguments[0], "fleet-node index", 1, nodes);
        return (node, nodes);
    }

    /// <summary>Checks that the `server` network can be cut into blocks for this many nodes.</summary>
    public static void Check(ConfigDirective directive, ServerOptions options)
    {
        int prefix = ConfigValues.PrefixLength(ConfigValues.ToUInt32(options.ServerNetmask));
        int blockPrefix = prefix + FleetSlice.BlockBits(options.FleetNodes);
        if (blockPrefix > FleetSlice.SmallestBlockPrefix)
            throw directive.Error($"the /{prefix} 'server' network cut for {options.FleetNodes} nodes leaves /{blockPrefix} blocks; " +
                $"use a /{FleetSlice.SmallestBlockPrefix - FleetSlice.BlockBits(options.FleetNodes)} or larger network");
    }

    /// <summary>The pool's slice for <paramref name="options"/>: node I's block, or null for a lone server.</summary>
    public static FleetSlice? SliceOf(ServerOptions options) =>
        options.FleetNodes == 0 ? null
            : FleetSlice.Of(ConfigValues.ToUInt32(options.ServerNetwork), ConfigValues.PrefixLength(ConfigValues.ToUInt32(options.ServerNetmask)),
                options.FleetNode, options.FleetNodes);
}
