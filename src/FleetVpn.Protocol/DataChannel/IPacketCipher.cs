namespace FleetVpn.Protocol.DataChannel;

/// <summary>
/// One direction of a data channel (§7: <c>openvpn_encrypt()</c>/<c>openvpn_decrypt()</c> in crypto.c):
/// <see cref="AeadPacketCipher"/> (§7.2) or <see cref="CbcHmacPacketCipher"/> (§7.3). The packet starts with
/// a header of <c>headerLength</c> bytes (1 for P_DATA_V1, 4 for P_DATA_V2) that the caller writes and reads.
/// </summary>
public interface IPacketCipher : IDisposable
{
    DataCipher Cipher { get; }

    /// <summary>Most bytes a sealed packet adds to the plaintext, not counting the header.</summary>
    int MaxOverhead { get; }

    /// <summary>
    /// Seals <paramref name="plaintext"/> with the short-form <paramref name="packetId"/> into
    /// <paramref name="packet"/> after its first <paramref name="headerLength"/> bytes; returns the packet length.
    /// </summary>
    int Seal(Span<byte> packet, int headerLength, uint packetId, ReadOnlySpan<byte> plaintext);

    /// <summary>
    /// Authenticates and decrypts a whole packet (header included) into <paramref name="plaintext"/>.
    /// False for anything that does not authenticate or is malformed; never throws for bad input.
    /// Replay is the caller's check, after this succeeded.
    /// </summary>
    bool TryOpen(ReadOnlySpan<byte> packet, int headerLength, Span<byte> plaintext, out int plaintextLength, out uint packetId);

    /// <summary>
    /// Another context of this kind holding no peer's key, for a <see cref="PacketCipherCache"/> to keep until a miss
    /// re-keys it; null when this kind is not re-keyed in place (then a miss makes a new one).
    /// </summary>
    IPacketCipher? NewSpare() => null;
}
