using FleetVpn.Protocol.DataChannel;
using FleetVpn.Protocol.Keys;

namespace FleetVpn.Server.Sessions;

/// <summary>
/// One key generation of a client's data channel: the key material, the receive replay window (touched only by the
/// receive path) and the send packet-id (taken atomically). The cipher contexts are not kept here but in the
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

    /// <summary>
    /// Seals with the next packet-id, taken atomically so that ids stay unique across sending threads; the cipher
    /// context is the thread's own, so no lock is held (a contended Monitor on this object would leave it a native
    /// sync block for good). Returns 0 once the ids are used up.
    /// </summary>
    public int Seal(Span<byte> packet, int headerLength, ReadOnlySpan<byte> plaintext)
    {
        uint id = NextPacketId();
        return id == 0 ? 0 : Encryptor.Seal(packet, headerLength, id, plaintext);
    }

    /// <summary>The next packet-id to send, or 0 at the wrap: an id is never reused with the same key (renegotiation renews keys first).</summary>
    private uint NextPacketId()
    {
        while (true)
        {
            uint last = Volatile.Read(ref _lastSentPacketId);
            if (last == uint.MaxValue) return 0;
            if (Interlocked.CompareExchange(ref _lastSentPacketId, last + 1, last) == last) return last + 1;
        }
    }
}
