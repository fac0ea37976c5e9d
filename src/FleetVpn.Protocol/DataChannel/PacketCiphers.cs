using FleetVpn.Protocol.Keys;

namespace FleetVpn.Protocol.DataChannel;

/// <summary>Makes the one direction of a data channel that a negotiated cipher needs.</summary>
public static class PacketCiphers
{
    /// <param name="digest">The HMAC of CBC ciphers (the peer's <c>auth</c>); unused for AEAD.</param>
    public static IPacketCipher Create(DataCipher cipher, HmacDigest digest, KeyMaterial keys, int slot) =>
        cipher.IsAead ? new AeadPacketCipher(cipher, keys, slot) : new CbcHmacPacketCipher(cipher, digest, keys, slot);

    /// <summary>Most bytes a sealed packet adds to its plaintext, not counting the opcode/peer-id header.</summary>
    public static int MaxOverhead(DataCipher cipher, HmacDigest digest) =>
        cipher.IsAead
            ? AeadPacketCipher.Overhead
            : digest.Length + CbcHmacPacketCipher.IvSize + CbcHmacPacketCipher.PacketIdSize + CbcHmacPacketCipher.BlockSize;
}
