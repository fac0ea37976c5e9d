using FleetVpn.Protocol.DataChannel;
using FleetVpn.Protocol.Keys;

namespace FleetVpn.Swarm;

/// <summary>
/// One key-id's data-channel state of a simulated client: the key material, the outgoing packet-id and the replay
/// window. The cipher contexts are made for each packet and freed after it: a live AES-GCM context costs about
/// 1.1 KB of native memory (bench/results/swarm-memory.txt), twice what the rest of an idle client costs, while an
/// idle client seals and opens one keepalive ping per direction every ping period.
/// </summary>
internal sealed class DataChannelKeys
{
    private readonly HmacDigest _auth;
    private readonly KeyMaterial _keys;

    public DataChannelKeys(int keyId, DataCipher cipher, HmacDigest auth, KeyMaterial keys)
    {
        KeyId = keyId;
        Cipher = cipher;
        _auth = auth;
        _keys = keys;
    }

    /// <summary>Bytes a sealed packet may add to the plaintext (AEAD: 20; CBC: IV, HMAC, packet-id and padding).</summary>
    public const int MaxOverhead = 128;

    public int KeyId { get; }
    public DataCipher Cipher { get; }
    public uint LastPacketId { get; set; }
    public ReplayWindow Replay;

    /// <summary>A cipher for client→server packets; the caller disposes it.</summary>
    public IPacketCipher CreateSeal() => Create(KeyMaterial.ClientToServer);

    /// <summary>A cipher for server→client packets; the caller disposes it.</summary>
    public IPacketCipher CreateOpen() => Create(KeyMaterial.ServerToClient);

    private IPacketCipher Create(int slot) =>
        Cipher.IsAead ? new AeadPacketCipher(Cipher, _keys, slot) : new CbcHmacPacketCipher(Cipher, _auth, _keys, slot);
}
