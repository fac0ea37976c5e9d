using System.Buffers.Binary;

namespace FleetVpn.Protocol.Wire;

/// <summary>
/// An unwrapped control packet (§1.3 of openvpn-protocol.md):
/// <c>op|kid, own sid(8), n, acks(4·n), [remote sid(8) if n&gt;0], [msg packet-id(4) unless P_ACK_V1], payload</c>.
/// A view over the datagram: nothing is copied.
/// </summary>
public readonly ref struct ControlPacket
{
    /// <summary>RELIABLE_ACK_SIZE: a receiver refuses more acks than this.</summary>
    public const int MaxAcks = 8;

    /// <summary>CONTROL_SEND_ACK_MAX: acks piggy-backed on a reliable packet.</summary>
    public const int MaxPiggybackAcks = 4;

    public Opcode Opcode { get; init; }
    public int KeyId { get; init; }
    public SessionId SessionId { get; init; }
    public int AckCount { get; init; }
    public ReadOnlySpan<byte> AckBytes { get; init; }
    public SessionId RemoteSessionId { get; init; }
    public bool HasMessageId => Opcode != Opcode.AckV1;
    public uint MessageId { get; init; }
    public ReadOnlySpan<byte> Payload { get; init; }

    public uint GetAck(int index) => BinaryPrimitives.ReadUInt32BigEndian(AckBytes.Slice(index * 4, 4));

    /// <summary>Parses an unwrapped control packet; false for anything malformed (never throws).</summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out ControlPacket result)
    {
        result = default;
        if (packet.Length < 1 + SessionId.Size + 1) return false;
        var opcode = PacketByte0.GetOpcode(packet[0]);
        if (!PacketByte0.IsControl(opcode)) return false;
        var sid = SessionId.Read(packet.Slice(1));
        if (!sid.IsValid) return false;
        int pos = 1 + SessionId.Size;
        int n = packet[pos++];
        if (n > MaxAcks) return false;
        if (opcode == Opcode.AckV1 && n == 0) return false;
        if (packet.Length < pos + 4 * n) return false;
        var acks = packet.Slice(pos, 4 * n);
        pos += 4 * n;
        SessionId remote = default;
        if (n > 0)
        {
            if (packet.Length < pos + SessionId.Size) return false;
            remote = SessionId.Read(packet.Slice(pos));
            pos += SessionId.Size;
        }
        uint messageId = 0;
        if (opcode != Opcode.AckV1)
        {
            if (packet.Length < pos + 4) return false;
            messageId = BinaryPrimitives.ReadUInt32BigEndian(packet.Slice(pos));
            pos += 4;
        }
        else if (packet.Length != pos)
        {
            return false;
        }
        result = new ControlPacket
        {
            Opcode = opcode,
            KeyId = PacketByte0.GetKeyId(packet[0]),
            SessionId = sid,
            AckCount = n,
            AckBytes = acks,
            RemoteSessionId = remote,
            MessageId = messageId,
            Payload = packet.Slice(pos),
        };
        return true;
    }

    /// <summary>The size <see cref="Write"/> needs.</summary>
    public static int GetSize(int ackCount, bool hasMessageId, int payloadLength) =>
        1 + SessionId.Size + 1 + 4 * ackCount + (ackCount > 0 ? SessionId.Size : 0) + (hasMessageId ? 4 : 0) + payloadLength;

    /// <summary>Writes a control packet; returns the number of bytes written.</summary>
    public static int Write(Span<byte> destination, Opcode opcode, int keyId, SessionId own, ReadOnlySpan<uint> acks,
        SessionId remote, uint messageId, ReadOnlySpan<byte> payload)
    {
        if (acks.Length > MaxAcks) throw new ArgumentOutOfRangeException(nameof(acks));
        bool hasMessageId = opcode != Opcode.AckV1;
        int size = GetSize(acks.Length, hasMessageId, payload.Length);
        if (destination.Length < size) throw new ArgumentException("destination too small", nameof(destination));
        destination[0] = PacketByte0.Make(opcode, keyId);
        own.Write(destination.Slice(1));
        int pos = 1 + SessionId.Size;
        destination[pos++] = (byte)acks.Length;
        foreach (var ack in acks)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(pos), ack);
            pos += 4;
        }
        if (acks.Length > 0)
        {
            remote.Write(destination.Slice(pos));
            pos += SessionId.Size;
        }
        if (hasMessageId)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(pos), messageId);
            pos += 4;
        }
        payload.CopyTo(destination.Slice(pos));
        return pos + payload.Length;
    }
}
