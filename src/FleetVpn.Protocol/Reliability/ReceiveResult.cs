namespace FleetVpn.Protocol.Reliability;

/// <summary>What the receive window did with a reliable packet.</summary>
public enum ReceiveResult
{
    /// <summary>New packet, buffered for in-order delivery, ACK queued.</summary>
    Accepted,
    /// <summary>Seen before (delivered or buffered): ACK queued again, nothing delivered.</summary>
    Duplicate,
    /// <summary>Too far ahead of the window: dropped without ACK.</summary>
    OutOfWindow,
}
