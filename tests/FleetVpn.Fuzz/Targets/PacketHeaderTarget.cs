using FleetVpn.Protocol.Wire;

namespace FleetVpn.Fuzz.Targets;

/// <summary>
/// The first look at every datagram (<c>PacketDispatcher</c>): opcode and key-id of byte 0, the peer-id of P_DATA_V2,
/// and the unwrapped control packet. A control packet that parses must write back to the same bytes.
/// </summary>
public sealed class PacketHeaderTarget : IFuzzTarget
{
    public string Name => "packet-header";

    public void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length == 0) return;
        var opcode = PacketByte0.GetOpcode(input[0]);
        _ = PacketByte0.GetKeyId(input[0]);
        if (PacketByte0.IsData(opcode))
        {
            if (opcode == Opcode.DataV2 && input.Length >= DataPacketHeader.V2Size) _ = DataPacketHeader.ReadPeerId(input);
            return;
        }
        ControlPacketCheck.ParseAndRewrite(input);
    }
}
