namespace FleetVpn.Server.Status;

/// <summary>
/// One established client as the status formats show it, copied out of its session so that rendering
/// (which may take milliseconds at 100,000 clients) never touches a live session.
/// </summary>
/// <param name="ClientId">The management interface's CID: FleetVPN uses the peer-id (unique while the client is connected).</param>
/// <param name="ConnectedSince">Local time, as OpenVPN prints it.</param>
/// <param name="LastReference">When a packet last came from the client (local time): the routing table's "Last Ref".</param>
public readonly record struct StatusClientRow(
    string CommonName,
    string RealAddress,
    string VirtualAddress,
    long BytesReceived,
    long BytesSent,
    DateTime ConnectedSince,
    DateTime LastReference,
    int ClientId,
    int PeerId,
    string DataChannelCipher);
