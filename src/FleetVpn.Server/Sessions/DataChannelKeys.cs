using FleetVpn.Protocol.DataChannel;
using FleetVpn.Protocol.Keys;

namespace FleetVpn.Server.Sessions;

/// <summary>
/// One key generation of a client's data channel: the two AEAD directions, the receive replay
/// window (touched only by the receive path) and the send packet-id (under the send lock).
/// </summary>
public sealed class DataChannelKeys
{
    private readonly object _sendGate = new();
    private uint _lastSentPacketId;
    private ReplayWindow _replay;

    /// <param name="digest">The HMAC of CBC ciphers (the client's `auth`); unused for AEAD.</param>
    public DataChannelKeys(int keyId, DataCipher cipher, HmacDigest digest, KeyMaterial keys)
    {
        KeyId = keyId;
        Cipher = cipher;
        Decryptor = Create(cipher, digest, keys, KeyMaterial.ClientToServer);
        Encryptor = Create(cipher, digest, keys, KeyMaterial.ServerToClient);
    }

    public int KeyId { get; }
    public DataCipher Cipher { get; }
    public IPacketCipher Decryptor { get; }
    public IPacketCipher Encryptor { get; }

    private static IPacketCipher Create(DataCipher cipher, HmacDigest digest, KeyMaterial keys, int slot) =>
        cipher.IsAead ? new AeadPacketCipher(cipher, keys, slot) : new CbcHmacPacketCipher(cipher, digest, keys, slot);

    /// <summary>Replay check of an authenticated packet-id (receive thread only).</summary>
    public bool AcceptPacketId(uint packetId) => _replay.TryAccept(packetId);

    /// <summary>Seals under the send lock so that packet-ids stay unique across sending threads.</summary>
    public int Seal(Span<byte> packet, int headerLength, ReadOnlySpan<byte> plaintext)
    {
        lock (_sendGate)
        {
            // Never reuse a packet-id with the same key: stop at the wrap (renegotiation renews keys first).
            if (_lastSentPacketId == uint.MaxValue) return 0;
            return Encryptor.Seal(packet, headerLength, ++_lastSentPacketId, plaintext);
        }
    }
}
