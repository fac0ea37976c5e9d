using System.Net;

namespace FleetVpn.Server.Config;

/// <summary><c>ifconfig-push ADDRESS NETMASK</c> in a client-config-dir file (topology subnet: the second value is the netmask).</summary>
/// <param name="Address">The client's IPv4 tunnel address.</param>
/// <param name="Netmask">A contiguous IPv4 netmask.</param>
public sealed record ClientIfconfigPush(IPAddress Address, IPAddress Netmask)
{
    /// <summary>The netmask's prefix length (255.255.255.0 → 24).</summary>
    public int PrefixLength => ConfigValues.PrefixLength(ConfigValues.ToUInt32(Netmask));
}
