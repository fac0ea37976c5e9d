using FleetVpn.Protocol.Wire;

namespace FleetVpn.Protocol.Reliability;

/// <summary>
/// The sending half of OpenVPN's reliability layer (<c>reliable.c</c>) for one key-id:
/// message packet-ids from a starting value, at most 6 unacknowledged packets
/// (TLS_RELIABLE_N_SEND_BUFFERS), retransmission with exponential back-off from
/// <c>--tls-timeout</c>, fast retransmit after 3 later ACKs (N_ACK_RETRANSMIT).
/// Sans-IO: the caller passes the time and sends what <see cref="CollectDue"/> returns.
/// </summary>
public sealed class ReliableSendWindow
{
    public const int WindowSize = 6;
    public const int FastRetransmitAcks = 3;

    private readonly List<OutgoingControlPacket> _inFlight = new(WindowSize);
    private readonly Queue<(Opcode Opcode, byte[] Payload)> _waiting = new();
    private readonly long _initialTimeoutMs;
    private uint _nextMessageId;

    public ReliableSendWindow(uint firstMessageId, long initialTimeoutMs)
    {
        _nextMessageId = firstMessageId;
        _initialTimeoutMs = initialTimeoutMs;
    }

    /// <summary>Packets sent or waiting that are not yet acknowledged.</summary>
    public int Outstanding => _inFlight.Count + _waiting.Count;

    /// <summary>Queues a reliable packet; it gets its message packet-id when it enters the window.</summary>
    public void Enqueue(Opcode opcode, byte[] payload) => _waiting.Enqueue((opcode, payload));

    /// <summary>Processes one ACKed message packet-id; true if it freed a packet.</summary>
    public bool Acknowledge(uint messageId)
    {
        int index = _inFlight.FindIndex(p => p.MessageId == messageId);
        if (index < 0) return false;
        _inFlight.RemoveAt(index);
        foreach (var p in _inFlight)
            if (p.MessageId < messageId && p.DueAt != 0) p.LaterAcks++;
        return true;
    }

    /// <summary>Fills the window from the queue and returns every packet due now (new, timed out or fast-retransmitted).</summary>
    public void CollectDue(long nowMs, List<OutgoingControlPacket> due)
    {
        while (_waiting.Count > 0 && (_inFlight.Count == 0 || _nextMessageId < _inFlight[0].MessageId + WindowSize)
               && _inFlight.Count < WindowSize)
        {
            var (opcode, payload) = _waiting.Dequeue();
            _inFlight.Add(new OutgoingControlPacket(opcode, _nextMessageId++, payload));
        }
        foreach (var p in _inFlight)
        {
            if (p.DueAt == 0)
            {
                p.TimeoutMs = _initialTimeoutMs;
            }
            else if (p.DueAt <= nowMs || p.LaterAcks >= FastRetransmitAcks)
            {
                p.TimeoutMs *= 2;
            }
            else
            {
                continue;
            }
            p.LaterAcks = 0;
            p.DueAt = nowMs + p.TimeoutMs;
            p.Transmissions++;
            due.Add(p);
        }
    }

    /// <summary>The earliest retransmit deadline, or <see cref="long.MaxValue"/> when nothing is in flight.</summary>
    public long NextDeadline
    {
        get
        {
            long next = long.MaxValue;
            foreach (var p in _inFlight) next = Math.Min(next, p.DueAt);
            if (_waiting.Count > 0 && _inFlight.Count < WindowSize) next = 0;
            return next;
        }
    }
}
