using FleetVpn.Protocol.DataChannel;

namespace FleetVpn.Protocol.Keys;

/// <summary>
/// The 256-byte "key2" block (<c>struct key2</c>): <c>keys[0] = {cipher[64], hmac[64]}, keys[1] = {cipher[64], hmac[64]}</c>.
/// For the data channel keys[0] protects client→server and keys[1] server→client (§5.6).
/// A connected client keeps its keys for hours: <see cref="Trimmed"/> keeps only the bytes its cipher uses
/// (80 instead of 256 for AES-256-GCM: the key and the 8-byte implicit IV of each direction).
/// </summary>
public readonly struct KeyMaterial
{
    public const int Size = 256;
    public const int SlotSize = 128;
    public const int CipherSize = 64;
    public const int HmacSize = 64;

    /// <summary>Slot used for packets from the client to the server.</summary>
    public const int ClientToServer = 0;

    /// <summary>Slot used for packets from the server to the client.</summary>
    public const int ServerToClient = 1;

    private readonly byte[] _bytes;
    private readonly byte _cipherLength;
    private readonly byte _hmacLength;

    public KeyMaterial(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size) throw new ArgumentException($"key material must be {Size} bytes", nameof(bytes));
        _bytes = bytes.ToArray();
        _cipherLength = CipherSize;
        _hmacLength = HmacSize;
    }

    private KeyMaterial(byte[] bytes, int cipherLength, int hmacLength)
    {
        _bytes = bytes;
        _cipherLength = (byte)cipherLength;
        _hmacLength = (byte)hmacLength;
    }

    /// <summary>The whole 256-byte block; only for material that was not <see cref="Trimmed"/>.</summary>
    public ReadOnlySpan<byte> Bytes => IsWhole ? _bytes : throw new InvalidOperationException("trimmed key material has no whole key2 block");

    private bool IsWhole => _cipherLength == CipherSize && _hmacLength == HmacSize;

    public ReadOnlySpan<byte> Cipher(int slot, int length) => _bytes.AsSpan(slot * (_cipherLength + _hmacLength), Checked(length, _cipherLength));

    public ReadOnlySpan<byte> Hmac(int slot, int length) => _bytes.AsSpan(slot * (_cipherLength + _hmacLength) + _cipherLength, Checked(length, _hmacLength));

    /// <summary>A copy with only the first <paramref name="cipherLength"/> cipher bytes and <paramref name="hmacLength"/> HMAC bytes of each slot.</summary>
    public KeyMaterial Trimmed(int cipherLength, int hmacLength)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(cipherLength, _cipherLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(hmacLength, _hmacLength);
        var bytes = new byte[2 * (cipherLength + hmacLength)];
        for (int slot = 0; slot < 2; slot++)
        {
            Cipher(slot, cipherLength).CopyTo(bytes.AsSpan(slot * (cipherLength + hmacLength)));
            Hmac(slot, hmacLength).CopyTo(bytes.AsSpan(slot * (cipherLength + hmacLength) + cipherLength));
        }
        return new KeyMaterial(bytes, cipherLength, hmacLength);
    }

    /// <summary>What <paramref name="cipher"/> reads: its key, and the implicit IV (AEAD) or the HMAC key (CBC) of each direction.</summary>
    public KeyMaterial TrimmedFor(DataCipher cipher, HmacDigest digest) =>
        Trimmed(cipher.KeyLength, cipher.IsAead ? AeadPacketCipher.ImplicitIvSize : digest.Length);

    private static int Checked(int length, int available) =>
        (uint)length <= (uint)available ? length : throw new ArgumentOutOfRangeException(nameof(length), $"{length} bytes asked, {available} kept");
}
