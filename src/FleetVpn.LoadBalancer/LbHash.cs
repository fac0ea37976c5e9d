namespace FleetVpn.LoadBalancer;

/// <summary>What the load balancer hashes to pick a device's bucket.</summary>
public enum LbHash
{
    /// <summary>
    /// The source address only (the default): a device whose NAT mapping changes port (the common rebinding) stays on
    /// its node and keeps its session. Devices behind one NAT address all share a node.
    /// </summary>
    Address,

    /// <summary>Address and port: an even spread even behind carrier-grade NAT, but a device whose port changes lands on
    /// another node, which does not know its session: it reconnects after ping-restart.</summary>
    AddressPort,
}
