using FleetVpn.Protocol.Wire;

namespace FleetVpn.Fuzz.Targets;

/// <summary>Parses an unwrapped control packet and checks that writing its fields back gives the same bytes.</summary>
public static class ControlPacketCheck
{
    public static bool ParseAndRewrite(ReadOnlySpan<byte> unwrapped)
    {
        if (!ControlPacket.TryParse(unwrapped, out var packet)) return false;
        Span<uint> acks = stackalloc uint[ControlPacket.MaxAcks];
        for (int i = 0; i < packet.AckCount; i++) acks[i] = packet.GetAck(i);
        var rewritten = new byte[ControlPacket.GetSize(packet.AckCount, packet.HasMessageId, packet.Payload.Length)];
        int n = ControlPacket.Write(rewritten, packet.Opcode, packet.KeyId, packet.SessionId, acks[..packet.AckCount],
            packet.RemoteSessionId, packet.MessageId, packet.Payload);
        if (!rewritten.AsSpan(0, n).SequenceEqual(unwrapped))
            throw new FuzzInvariantException($"control packet of {unwrapped.Length} bytes rewrites to {n} different bytes");
        return true;
    }
}
