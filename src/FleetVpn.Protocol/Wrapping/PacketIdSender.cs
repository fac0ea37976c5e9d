namespace FleetVpn.Protocol.Wrapping;

/// <summary>
/// The send side of the tls-auth/tls-crypt replay packet-id (<c>packet_id_send_update()</c> in packet_id.c,
/// §3.2): the time is fixed when the counter starts; ids start at 1 and every transmitted wrapped packet
/// (ACKs and retransmissions included) takes the next one. One per direction per TLS session.
/// Thread-safe.
/// </summary>
public sealed class PacketIdSender
{
    /// <summary>A tls-crypt-v2 client starts here so its first packet carries 0x0F000001 (early negotiation, §4.4).</summary>
    public const uint TlsCryptV2EarlyNegotiationStart = 0x0F000000;

    private uint _lastId;

    /// <param name="time">Unix time (seconds) when the counter starts, sent with every id.</param>
    /// <param name="lastId">The id before the first one sent (0 → the first id is 1).</param>
    public PacketIdSender(uint time, uint lastId = 0)
    {
        Time = time;
        _lastId = lastId;
    }

    public uint Time { get; }

    /// <summary>The id most recently handed out (0 before the first).</summary>
    public uint LastId => Volatile.Read(ref _lastId);

    /// <summary>
    /// Takes the next id; false once 0xFFFFFFFF has been used (the long form may only roll over with a new
    /// time, which a running session does not do: it must be renegotiated or dropped instead).
    /// </summary>
    public bool TryNext(out ReplayPacketId packetId)
    {
        uint last = Volatile.Read(ref _lastId);
        while (last != uint.MaxValue)
        {
            uint seen = Interlocked.CompareExchange(ref _lastId, last + 1, last);
            if (seen == last)
            {
                packetId = new ReplayPacketId(last + 1, Time);
                return true;
            }
            last = seen;
        }
        packetId = default;
        return false;
    }

    /// <summary>Takes the next id; throws <see cref="InvalidOperationException"/> when the counter is exhausted.</summary>
    public ReplayPacketId Next() =>
        TryNext(out var id) ? id : throw new InvalidOperationException("replay packet-id roll over: the counter is exhausted");
}
