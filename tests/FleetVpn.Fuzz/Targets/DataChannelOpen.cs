using FleetVpn.Protocol.DataChannel;
using FleetVpn.Protocol.Messages;
using FleetVpn.Protocol.Wire;

namespace FleetVpn.Fuzz.Targets;

/// <summary>What the dispatcher does with a data packet of a known session: open it one byte into its buffer, check the replay window, look at the payload.</summary>
public static class DataChannelOpen
{
    private static readonly byte[] Plaintext = new byte[65536];
    private static readonly byte[] OtherPlaintext = new byte[65536];

    /// <param name="other">A second implementation of the same cipher that must give the same answer; null for none.</param>
    public static void Run(ReadOnlySpan<byte> packet, IPacketCipher cipher, IPacketCipher? other)
    {
        if (packet.Length == 0) return;
        var opcode = PacketByte0.GetOpcode(packet[0]);
        if (!PacketByte0.IsData(opcode)) return;
        int header = opcode == Opcode.DataV2 ? DataPacketHeader.V2Size : DataPacketHeader.V1Size;
        if (packet.Length < header) return;
        bool opened = cipher.TryOpen(packet, header, Plaintext.AsSpan(1), out int length, out uint packetId);
        if (other is not null)
        {
            bool otherOpened = other.TryOpen(packet, header, OtherPlaintext.AsSpan(1), out int otherLength, out uint otherId);
            if (opened != otherOpened || (opened && (length != otherLength || packetId != otherId
                || !Plaintext.AsSpan(1, length).SequenceEqual(OtherPlaintext.AsSpan(1, otherLength)))))
                throw new FuzzInvariantException($"the two implementations disagree: opened {opened}/{otherOpened}, length {length}/{otherLength}");
        }
        if (!opened) return;
        if (length < 0 || length > packet.Length) throw new FuzzInvariantException($"plaintext of {length} bytes from a packet of {packet.Length}");
        var window = new ReplayWindow();
        window.TryAccept(packetId);
        var payload = Plaintext.AsSpan(1, length);
        _ = PingMessage.Is(payload);
        _ = OccMessage.IsExit(payload);
    }
}
