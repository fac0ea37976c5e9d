namespace FleetVpn.Protocol.Wire;

/// <summary>Data packet headers (§1.8): P_DATA_V1 is 1 byte, P_DATA_V2 is 4 (byte 0 + 24-bit peer-id).</summary>
public static class DataPacketHeader
{
    public const int V1Size = 1;
    public const int V2Size = 4;

    /// <summary>MAX_PEER_ID: 0xFFFFFF means "no peer-id assigned".</summary>
    public const int NoPeerId = 0xFFFFFF;

    public static int ReadPeerId(ReadOnlySpan<byte> packet) => (packet[1] << 16) | (packet[2] << 8) | packet[3];

    public static void WriteV2(Span<byte> destination, int keyId, int peerId)
    {
        destination[0] = PacketByte0.Make(Opcode.DataV2, keyId);
        destination[1] = (byte)(peerId >> 16);
        destination[2] = (byte)(peerId >> 8);
        destination[3] = (byte)peerId;
    }
}
