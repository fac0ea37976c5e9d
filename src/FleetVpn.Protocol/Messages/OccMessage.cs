namespace FleetVpn.Protocol.Messages;

/// <summary>OCC messages inside the data channel (<c>occ.c</c>): 16-byte magic, then an opcode.</summary>
public static class OccMessage
{
    /// <summary>OCC_EXIT: the peer is shutting down.</summary>
    public const byte Exit = 6;

    public static ReadOnlySpan<byte> Magic =>
        [0x28, 0x7f, 0x34, 0x6b, 0xd4, 0xef, 0x7a, 0x81, 0x2d, 0x56, 0xb8, 0xd3, 0xaf, 0xc5, 0x45, 0x9c];

    public static bool IsOcc(ReadOnlySpan<byte> payload) => payload.Length > Magic.Length && payload.StartsWith(Magic);

    public static bool IsExit(ReadOnlySpan<byte> payload) => IsOcc(payload) && payload[Magic.Length] == Exit;
}
