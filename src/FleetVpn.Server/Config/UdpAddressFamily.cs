namespace FleetVpn.Server.Config;

/// <summary>Which address family the UDP listener serves, from <c>proto udp|udp4|udp6</c>.</summary>
public enum UdpAddressFamily
{
    /// <summary><c>proto udp</c>: IPv4 and IPv6 (a dual-stack socket unless <c>local</c> picks one).</summary>
    Any,

    /// <summary><c>proto udp4</c>: IPv4 only.</summary>
    IPv4,

    /// <summary><c>proto udp6</c>: IPv6 only.</summary>
    IPv6,
}
