namespace FleetVpn.Swarm;

/// <summary>What became of one traffic datagram a client was asked to send.</summary>
public enum TrafficSendResult
{
    /// <summary>The client has no data channel now (connecting, backing off, stopped); nothing sent.</summary>
    NotConnected,

    /// <summary>Encrypted and handed to the kernel.</summary>
    Sent,

    /// <summary>The kernel refused the send (a full buffer, an ICMP error reported back).</summary>
    Refused,
}
