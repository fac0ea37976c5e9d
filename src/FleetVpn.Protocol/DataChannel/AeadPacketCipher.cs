using System.Buffers.Binary;
using System.Security.Cryptography;
using FleetVpn.Protocol.Keys;
using FleetVpn.Protocol.Wire;

namespace FleetVpn.Protocol.DataChannel;

/// <summary>
/// One direction of an AEAD data channel (§7.2, <c>openvpn_encrypt_aead()</c>):
/// <code>
/// P_DATA_V2: | op|kid | peer-id(3) | packet-id(4) | tag(16) | ciphertext |   AAD = first 8 bytes
/// P_DATA_V1: | op|kid |              packet-id(4) | tag(16) | ciphertext |   AAD = packet-id only
/// nonce = packet-id(4) ‖ implicit IV (keys[dir].hmac[0:8])
/// </code>
/// Not thread-safe: one instance per direction, used by one thread at a time. Allocation-free per packet.
/// </summary>
public sealed class AeadPacketCipher : IPacketCipher
{
    public const int TagSize = 16;
    public const int PacketIdSize = 4;
    public const int ImplicitIvSize = 8;

    private readonly AesGcm? _aes;
    private readonly ChaCha20Poly1305? _chacha;
    private readonly byte[] _implicitIv = new byte[ImplicitIvSize];

    public AeadPacketCipher(DataCipher cipher, KeyMaterial keys, int slot)
    {
        if (!cipher.IsAead) throw new ArgumentException($"{cipher.Name} is not an AEAD cipher", nameof(cipher));
        Cipher = cipher;
        var key = keys.Cipher(slot, cipher.KeyLength);
        if (cipher == DataCipher.ChaCha20Poly1305) _chacha = new ChaCha20Poly1305(key);
        else _aes = new AesGcm(key, TagSize);
        keys.Hmac(slot, ImplicitIvSize).CopyTo(_implicitIv);
    }

    public DataCipher Cipher { get; }

    /// <summary>Bytes added around the plaintext, not counting the opcode/peer-id header.</summary>
    public const int Overhead = PacketIdSize + TagSize;

    /// <summary><see cref="Overhead"/>, for <see cref="IPacketCipher"/>.</summary>
    public int MaxOverhead => Overhead;

    /// <summary>
    /// Seals <paramref name="plaintext"/> into <paramref name="packet"/>, whose first
    /// <paramref name="headerLength"/> bytes (1 for V1, 4 for V2) the caller has written.
    /// Returns the packet length.
    /// </summary>
    public int Seal(Span<byte> packet, int headerLength, uint packetId, ReadOnlySpan<byte> plaintext)
    {
        int length = headerLength + Overhead + plaintext.Length;
        if (packet.Length < length) throw new ArgumentException("packet buffer too small", nameof(packet));
        BinaryPrimitives.WriteUInt32BigEndian(packet[headerLength..], packetId);
        Span<byte> nonce = stackalloc byte[12];
        MakeNonce(packet.Slice(headerLength, PacketIdSize), nonce);
        var aad = headerLength == DataPacketHeader.V2Size ? packet[..8] : packet.Slice(headerLength, PacketIdSize);
        var tag = packet.Slice(headerLength + PacketIdSize, TagSize);
        var ciphertext = packet.Slice(headerLength + Overhead, plaintext.Length);
        if (_aes is not null) _aes.Encrypt(nonce, plaintext, ciphertext, tag, aad);
        else _chacha!.Encrypt(nonce, plaintext, ciphertext, tag, aad);
        return length;
    }

    /// <summary>
    /// Authenticates and decrypts a whole packet (header included) into <paramref name="plaintext"/>.
    /// False for anything that does not authenticate or is malformed; never throws for bad input.
    /// </summary>
    public bool TryOpen(ReadOnlySpan<byte> packet, int headerLength, Span<byte> plaintext, out int plaintextLength, out uint packetId)
    {
        plaintextLength = 0;
        packetId = 0;
        int cipherLength = packet.Length - headerLength - Overhead;
        if (cipherLength <= 0 || plaintext.Length < cipherLength) return false;
        var pid = packet.Slice(headerLength, PacketIdSize);
        packetId = BinaryPrimitives.ReadUInt32BigEndian(pid);
        Span<byte> nonce = stackalloc byte[12];
        MakeNonce(pid, nonce);
        var aad = headerLength == DataPacketHeader.V2Size ? packet[..8] : pid;
        var tag = packet.Slice(headerLength + PacketIdSize, TagSize);
        var ciphertext = packet.Slice(headerLength + Overhead);
        var output = plaintext[..cipherLength];
        try
        {
            if (_aes is not null) _aes.Decrypt(nonce, ciphertext, tag, output, aad);
            else _chacha!.Decrypt(nonce, ciphertext, tag, output, aad);
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
        plaintextLength = cipherLength;
        return true;
    }

    private void MakeNonce(ReadOnlySpan<byte> packetId, Span<byte> nonce)
    {
        packetId.CopyTo(nonce);
        _implicitIv.CopyTo(nonce[PacketIdSize..]);
    }

    public void Dispose()
    {
        _aes?.Dispose();
        _chacha?.Dispose();
    }
}
