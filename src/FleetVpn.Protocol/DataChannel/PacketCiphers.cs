using FleetVpn.Protocol.Keys;

namespace FleetVpn.Protocol.DataChannel;

/// <summary>Makes the one direction of a data channel that a negotiated cipher needs.</summary>
public static class PacketCiphers
{
    /// <summary>
    /// An AEAD cipher comes from OpenSSL directly where <see cref="LibCrypto.Shared"/> loaded, else from the BCL
    /// (<see cref="AeadPacketCipher"/>); both seal the same bytes. Called by a <see cref="PacketCipherCache"/> on a
    /// miss, it re-keys the evicted OpenSSL context rather than making a new one.
    /// </summary>
    /// <param name="digest">The HMAC of CBC ciphers (the peer's <c>auth</c>); unused for AEAD.</param>
    public static IPacketCipher Create(DataCipher cipher, HmacDigest digest, KeyMaterial keys, int slot) =>
        Create(cipher, digest, keys, slot, LibCrypto.Shared);

    /// <summary><see cref="Create(DataCipher, HmacDigest, KeyMaterial, int)"/> with <paramref name="api"/> (null: the BCL).</summary>
    internal static IPacketCipher Create(DataCipher cipher, HmacDigest digest, KeyMaterial keys, int slot, LibCrypto? api)
    {
        if (!cipher.IsAead) return new CbcHmacPacketCipher(cipher, digest, keys, slot);
        if (api is null || !api.Supports(cipher)) return new AeadPacketCipher(cipher, keys, slot);
        if (PacketCipherCache.TryTakeEvicted(out OpenSslAeadPacketCipher? evicted))
        {
            if (evicted.Api == api)
            {
                try
                {
                    evicted.Rekey(cipher, keys, slot);
                    return evicted;
                }
                catch
                {
                    evicted.Dispose();
                    throw;
                }
            }
            evicted.Dispose();
        }
        return new OpenSslAeadPacketCipher(api, cipher, keys, slot);
    }

    /// <summary>Most bytes a sealed packet adds to its plaintext, not counting the opcode/peer-id header.</summary>
    public static int MaxOverhead(DataCipher cipher, HmacDigest digest) =>
        cipher.IsAead
            ? AeadPacketCipher.Overhead
            : digest.Length + CbcHmacPacketCipher.IvSize + CbcHmacPacketCipher.PacketIdSize + CbcHmacPacketCipher.BlockSize;
}
