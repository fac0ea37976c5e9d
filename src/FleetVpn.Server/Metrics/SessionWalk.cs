using FleetVpn.Server.Sessions;

namespace FleetVpn.Server.Metrics;

/// <summary>
/// Every session, read from the table's peer-id slots (every session holds one): a lock-free walk of an array.
/// Not <see cref="SessionTable.All"/> or <see cref="SessionTable.Count"/>: a concurrent dictionary's snapshot of its
/// values and its count take all its locks, which would hold up the workers admitting clients during a scrape.
/// </summary>
public static class SessionWalk
{
    public static IEnumerable<ClientSession> Sessions(SessionTable table)
    {
        for (int peerId = 0; peerId < table.PeerIdCapacity; peerId++)
            if (table.ByPeerId(peerId) is { } session) yield return session;
    }

    /// <summary>Sessions with data keys installed (connected clients).</summary>
    public static int Established(SessionTable table)
    {
        int established = 0;
        for (int peerId = 0; peerId < table.PeerIdCapacity; peerId++)
            if (table.ByPeerId(peerId) is { State: SessionState.Established }) established++;
        return established;
    }
}
