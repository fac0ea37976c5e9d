using FleetVpn.Server.Routing;
using FleetVpn.Server.Sessions;

namespace FleetVpn.Server.Status;

/// <summary>
/// The established clients at one moment, in peer-id order, for the status formats. Capturing walks the
/// session table's peer-id slots (already in order, so nothing is sorted) on the caller's thread, which is
/// never a worker: a worker only sees its sessions' counters read.
/// </summary>
public sealed class StatusSnapshot
{
    private readonly List<StatusClientRow> _rows = [];

    /// <summary>When the snapshot was taken (local time, as OpenVPN prints it).</summary>
    public DateTime Taken { get; private set; } = DateTime.Now;

    public IReadOnlyList<StatusClientRow> Rows => _rows;

    /// <summary>A snapshot of given rows (tests, benchmarks).</summary>
    public static StatusSnapshot Of(DateTime taken, IEnumerable<StatusClientRow> rows)
    {
        var snapshot = new StatusSnapshot { Taken = taken };
        snapshot._rows.AddRange(rows);
        return snapshot;
    }

    /// <summary>Replaces the rows with the table's established sessions (the list's storage is kept for the next capture).</summary>
    public StatusSnapshot Capture(SessionTable sessions)
    {
        _rows.Clear();
        Taken = DateTime.Now;
        long nowMs = ServerContext.NowMs;
        for (int peerId = 0; peerId < sessions.PeerIdCapacity; peerId++)
        {
            if (sessions.ByPeerId(peerId) is { State: SessionState.Established } session) _rows.Add(RowOf(session, Taken, nowMs));
        }
        return this;
    }

    public static StatusClientRow RowOf(ClientSession session, DateTime now, long nowMs) => new(
        session.CommonName,
        ServerContext.Describe(session.RemoteEndPoint),
        AddressPool.ToAddress(session.VirtualAddress).ToString(),
        Interlocked.Read(ref session.BytesReceived),
        Interlocked.Read(ref session.BytesSent),
        session.ConnectedSince,
        now - TimeSpan.FromMilliseconds(Math.Max(0, nowMs - Volatile.Read(ref session.LastReceivedMs))),
        ClientId: session.PeerId,
        PeerId: session.PeerId,
        session.Keys?.Cipher.Name ?? "none");
}
