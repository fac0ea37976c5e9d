using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using FleetVpn.Protocol.Keys;

namespace FleetVpn.Protocol.DataChannel;

/// <summary>
/// One direction of a legacy CBC + HMAC data channel (§7.3, <c>openvpn_encrypt_v1()</c>/<c>openvpn_decrypt_v1()</c>
/// in crypto.c), encrypt-then-MAC:
/// <code>
/// P_DATA_V1: | op|kid |             HMAC (H) | IV (16) | CBC(packet-id (4) ‖ payload ‖ PKCS#7) |
/// P_DATA_V2: | op|kid | peer-id (3) | HMAC (H) | IV (16) | CBC(packet-id (4) ‖ payload ‖ PKCS#7) |
/// HMAC = HMAC(keys[slot].hmac[0:H], IV ‖ ciphertext)   (the header is not authenticated)
/// </code>
/// The cipher key is keys[slot].cipher[0:keylen]; the IV is random per packet; the packet-id is the short
/// form (TLS mode). The HMAC is checked in constant time before anything is decrypted.
/// Not thread-safe: one instance per direction, used by one thread at a time.
/// </summary>
public sealed class CbcHmacPacketCipher : IPacketCipher
{
    public const int IvSize = 16;
    public const int BlockSize = 16;
    public const int PacketIdSize = 4;

    private readonly Aes _aes;
    private readonly byte[] _hmacKey;

    public CbcHmacPacketCipher(DataCipher cipher, HmacDigest digest, KeyMaterial keys, int slot)
    {
        ArgumentNullException.ThrowIfNull(cipher);
        ArgumentNullException.ThrowIfNull(digest);
        if (cipher != DataCipher.Aes256Cbc && cipher != DataCipher.Aes128Cbc)
            throw new ArgumentException($"{cipher.Name} is not a supported CBC cipher (AES-256-CBC, AES-128-CBC)", nameof(cipher));
        Cipher = cipher;
        Digest = digest;
        _aes = Aes.Create();
        _aes.Key = keys.Cipher(slot, cipher.KeyLength).ToArray();
        _hmacKey = keys.Hmac(slot, digest.Length).ToArray();
    }

    public DataCipher Cipher { get; }

    public HmacDigest Digest { get; }

    /// <summary>HMAC, IV, packet-id and up to one block of padding.</summary>
    public int MaxOverhead => Digest.Length + IvSize + PacketIdSize + BlockSize;

    /// <summary>The exact length <see cref="Seal"/> produces for a plaintext of <paramref name="plaintextLength"/> bytes.</summary>
    public int GetSealedLength(int headerLength, int plaintextLength) =>
        headerLength + Digest.Length + IvSize + ((PacketIdSize + plaintextLength) / BlockSize + 1) * BlockSize;

    public int Seal(Span<byte> packet, int headerLength, uint packetId, ReadOnlySpan<byte> plaintext)
    {
        int length = GetSealedLength(headerLength, plaintext.Length);
        if (packet.Length < length) throw new ArgumentException("packet buffer too small", nameof(packet));
        int h = Digest.Length;
        var iv = packet.Slice(headerLength + h, IvSize);
        RandomNumberGenerator.Fill(iv);
        var body = packet[(headerLength + h + IvSize)..length];
        BinaryPrimitives.WriteUInt32BigEndian(body, packetId);
        plaintext.CopyTo(body[PacketIdSize..]);
        _aes.EncryptCbc(body[..(PacketIdSize + plaintext.Length)], iv, body, PaddingMode.PKCS7);
        Digest.Compute(_hmacKey, packet[(headerLength + h)..length], packet.Slice(headerLength, h));
        return length;
    }

    public bool TryOpen(ReadOnlySpan<byte> packet, int headerLength, Span<byte> plaintext, out int plaintextLength, out uint packetId)
    {
        plaintextLength = 0;
        packetId = 0;
        int h = Digest.Length;
        if (headerLength < 0 || packet.Length < headerLength + h + IvSize) return false;
        int cipherLength = packet.Length - headerLength - h - IvSize;
        if (cipherLength < BlockSize || cipherLength % BlockSize != 0) return false;

        var mac = packet.Slice(headerLength, h);
        var authenticated = packet[(headerLength + h)..];
        Span<byte> computed = stackalloc byte[HmacDigest.MaxLength];
        Digest.Compute(_hmacKey, authenticated, computed);
        if (!CryptographicOperations.FixedTimeEquals(computed[..h], mac)) return false;

        var iv = authenticated[..IvSize];
        var ciphertext = authenticated[IvSize..];
        byte[]? rented = null;
        Span<byte> decrypted = plaintext.Length >= cipherLength
            ? plaintext[..cipherLength]
            : (rented = ArrayPool<byte>.Shared.Rent(cipherLength)).AsSpan(0, cipherLength);
        try
        {
            _aes.DecryptCbc(ciphertext, iv, decrypted, PaddingMode.None);
            int pad = decrypted[^1];
            if (pad is 0 or > BlockSize) return false;
            for (int i = cipherLength - pad; i < cipherLength; i++)
                if (decrypted[i] != pad) return false;
            int payloadLength = cipherLength - pad - PacketIdSize;
            // "missing payload": a packet-id without payload carries nothing (and OpenVPN never sends one).
            if (payloadLength <= 0 || plaintext.Length < payloadLength) return false;
            packetId = BinaryPrimitives.ReadUInt32BigEndian(decrypted);
            decrypted.Slice(PacketIdSize, payloadLength).CopyTo(plaintext);
            plaintextLength = payloadLength;
            return true;
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented, clearArray: true);
        }
    }

    public void Dispose()
    {
        _aes.Dispose();
        CryptographicOperations.ZeroMemory(_hmacKey);
    }
}
