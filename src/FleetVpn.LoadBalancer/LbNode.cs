using System.Net;

namespace FleetVpn.LoadBalancer;

/// <summary>One FleetVPN node behind the load balancer: the address its UDP port is reached at, and its health URL.</summary>
/// <param name="Address">The node's IPv4 address on the load balancer's side (its `local`, or an address it serves on).</param>
/// <param name="HealthUrl">The node's `metrics` listener's <c>/health</c>, e.g. <c>http://10.90.0.11:9469/health</c>.</param>
public sealed record LbNode(IPAddress Address, Uri HealthUrl)
{
    /// <summary>The name the bucket assignment hashes: the address, so that a node keeps its buckets across restarts.</summary>
    public string Id => Address.ToString();
}
