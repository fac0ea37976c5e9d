using System.Net;

namespace FleetVpn.Server.Config;

/// <summary><c>iroute NETWORK [NETMASK]</c> in a client-config-dir file: an IPv4 network reached through this client.</summary>
/// <param name="Network">The network address (its host bits are zero).</param>
/// <param name="Netmask">A contiguous IPv4 netmask (255.255.255.255 when the line gave none).</param>
public sealed record ClientIRoute(IPAddress Network, IPAddress Netmask)
{
    /// <summary>The netmask's prefix length (255.255.255.0 → 24).</summary>
    public int PrefixLength => ConfigValues.PrefixLength(ConfigValues.ToUInt32(Netmask));
}
