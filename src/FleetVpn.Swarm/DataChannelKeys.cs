using FleetVpn.Protocol.DataChannel;
using FleetVpn.Protocol.Keys;

namespace FleetVpn.Swarm;

/// <summary>
/// One key-id's data-channel state of a simulated client: the key material, the outgoing packet-id and the replay
/// window. The cipher contexts live in the using thread's <see cref="PacketCipherCache"/>, not here: a live AES-GCM
/// context costs about 1.1 KB of native memory, more than the rest of an idle client, while an idle client seals
/// and opens one keepalive ping per direction every ping period.
/// </summary>
internal sealed class DataChannelKeys : ICipherCacheOwner
{
    /// <summary>Picks this key generation's entries in each thread's cipher cache.</summary>
    public int CipherCacheKey { get; } = ICipherCacheOwner.NewCipherCacheKey();

    private readonly HmacDigest _auth;
    private readonly KeyMaterial _keys;

    public DataChannelKeys(int keyId, DataCipher cipher, HmacDigest auth, KeyMaterial keys)
    {
        KeyId = keyId;
        Cipher = cipher;
        _auth = auth;
        _keys = keys.TrimmedFor(cipher, auth);
    }

    /// <summary>Bytes a sealed packet may add to the plaintext (AEAD: 20; CBC: IV, HMAC, packet-id and padding).</summary>
    public int MaxOverhead => PacketCiphers.MaxOverhead(Cipher, _auth);

    public int KeyId { get; }
    public DataCipher Cipher { get; }
    public uint LastPacketId { get; set; }
    public ReplayWindow Replay;

    /// <summary>Seals client→server packets; this thread's context, valid until its next cache call.</summary>
    public IPacketCipher Seal => PacketCipherCache.Current.Get(this, KeyMaterial.ClientToServer, static (k, slot) => k.Create(slot));

    /// <summary>Opens server→client packets; this thread's context, valid until its next cache call.</summary>
    public IPacketCipher Open => PacketCipherCache.Current.Get(this, KeyMaterial.ServerToClient, static (k, slot) => k.Create(slot));

    private IPacketCipher Create(int slot) => PacketCiphers.Create(Cipher, _auth, _keys, slot);
}
