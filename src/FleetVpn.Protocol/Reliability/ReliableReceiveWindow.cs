using FleetVpn.Protocol.Wire;

namespace FleetVpn.Protocol.Reliability;

/// <summary>
/// The receiving half of the reliability layer for one key-id: a window of 12 message
/// packet-ids (TLS_RELIABLE_N_REC_BUFFERS), strictly in-order delivery, and the list of ids
/// still to acknowledge (every accepted or duplicate packet is ACKed, none beyond the window).
/// </summary>
public sealed class ReliableReceiveWindow
{
    public const int WindowSize = 12;

    private readonly Dictionary<uint, (Opcode Opcode, byte[] Payload)> _buffered = new();
    private readonly List<uint> _pendingAcks = new();
    private uint _next;

    public ReliableReceiveWindow(uint firstExpected) => _next = firstExpected;

    /// <summary>The next in-order message packet-id expected.</summary>
    public uint NextExpected => _next;

    public int PendingAckCount => _pendingAcks.Count;

    public ReceiveResult Receive(Opcode opcode, uint messageId, ReadOnlySpan<byte> payload)
    {
        if (messageId - _next >= WindowSize && messageId >= _next) return ReceiveResult.OutOfWindow;
        QueueAck(messageId);
        if (messageId < _next || _buffered.ContainsKey(messageId)) return ReceiveResult.Duplicate;
        _buffered[messageId] = (opcode, payload.ToArray());
        return ReceiveResult.Accepted;
    }

    /// <summary>Takes the next in-order packet, if it has arrived.</summary>
    public bool TryDequeue(out Opcode opcode, out byte[] payload)
    {
        if (_buffered.Remove(_next, out var entry))
        {
            _next++;
            (opcode, payload) = entry;
            return true;
        }
        opcode = default;
        payload = [];
        return false;
    }

    /// <summary>Removes up to <paramref name="max"/> pending ACK ids into <paramref name="destination"/>, newest first.</summary>
    public int TakeAcks(Span<uint> destination, int max)
    {
        int n = Math.Min(Math.Min(max, destination.Length), _pendingAcks.Count);
        for (int i = 0; i < n; i++)
        {
            destination[i] = _pendingAcks[^1];
            _pendingAcks.RemoveAt(_pendingAcks.Count - 1);
        }
        return n;
    }

    private void QueueAck(uint messageId)
    {
        if (!_pendingAcks.Contains(messageId)) _pendingAcks.Add(messageId);
    }
}
