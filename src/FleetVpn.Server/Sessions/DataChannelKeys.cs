using FleetVpn.Protocol.DataChannel;
using FleetVpn.Protocol.Keys;

namespace FleetVpn.Server.Sessions;

/// <summary>
/// One key generation of a client's data channel: the key material, the receive replay window (touched only by the
/// receive path) and the send packet-id (under the send lock). The cipher contexts are not kept here but in the
/// using thread's <see cref="PacketCipherCache"/>: an idle client holds key bytes, not two live OpenSSL contexts.
/// </summary>
public sealed class DataChannelKeys : ICipherCacheOwner
{
    /// <summary>Picks this key generation's entries in each thread's cipher cache.</summary>
    public int CipherCacheKey { get; } = ICipherCacheOwner.NewCipherCacheKey();

    private uint _lastSentPacketId;
    private ReplayWindow _replay;

    /// <param name="digest">The HMAC of CBC ciphers (the client's `auth`); unused for AEAD.</param>
    public DataChannelKeys(int keyId, DataCipher cipher, HmacDigest digest, KeyMaterial keys)
    {
        KeyId = keyId;
        Cipher = cipher;
        _digest = digest;
        _material = keys.TrimmedFor(cipher, digest);
    }

    private readonly HmacDigest _digest;
    private readonly KeyMaterial _material;

    public int KeyId { get; }
    public DataCipher Cipher { get; }

    /// <summary>The HMAC of a CBC cipher (the client's `auth`); unused for AEAD.</summary>
    public HmacDigest Digest => _digest;

    /// <summary>Opens client→server packets; this thread's context, valid until its next cache call.</summary>
    public IPacketCipher Decryptor => PacketCipherCache.Current.Get(this, KeyMaterial.ClientToServer, static (k, slot) => k.Create(slot));

    /// <summary>Seals server→client packets; this thread's context, valid until its next cache call.</summary>
    private IPacketCipher Encryptor => PacketCipherCache.Current.Get(this, KeyMaterial.ServerToClient, static (k, slot) => k.Create(slot));

    /// <summary>Most bytes a sealed packet adds to its plaintext (header not counted).</summary>
    public int MaxOverhead => PacketCiphers.MaxOverhead(Cipher, _digest);

    private IPacketCipher Create(int slot) => PacketCiphers.Create(Cipher, _digest, _material, slot);

    /// <summary>Replay check of an authenticated packet-id (receive thread only).</summary>
    public bool AcceptPacketId(uint packetId) => _replay.TryAccept(packetId);

    /// <summary>Seals under the send lock so that packet-ids stay unique across sending threads.</summary>
    public int Seal(Span<byte> packet, int headerLength, ReadOnlySpan<byte> plaintext)
    {
        lock (this) // the send lock: an object of its own would cost every idle client 24 bytes
        {
            // Never reuse a packet-id with the same key: stop at the wrap (renegotiation renews keys first).
            if (_lastSentPacketId == uint.MaxValue) return 0;
            return Encryptor.Seal(packet, headerLength, ++_lastSentPacketId, plaintext);
        }
    }
}
