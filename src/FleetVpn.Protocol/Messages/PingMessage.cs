namespace FleetVpn.Protocol.Messages;

/// <summary>The keepalive ping: a data-channel payload of exactly these 16 bytes (<c>ping_string</c> in ping.c).</summary>
public static class PingMessage
{
    public static ReadOnlySpan<byte> Bytes =>
        [0x2a, 0x18, 0x7b, 0xf3, 0x64, 0x1e, 0xb4, 0xcb, 0x07, 0xed, 0x2d, 0x0a, 0x98, 0x1f, 0xc7, 0x48];

    public static bool Is(ReadOnlySpan<byte> payload) => payload.SequenceEqual(Bytes);
}
