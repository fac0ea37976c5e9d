namespace FleetVpn.Protocol.Keys;

/// <summary>
/// The 256-byte "key2" block (<c>struct key2</c>): <c>keys[0] = {cipher[64], hmac[64]}, keys[1] = {cipher[64], hmac[64]}</c>.
/// For the data channel keys[0] protects client→server and keys[1] server→client (§5.6).
/// </summary>
public sealed class KeyMaterial
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

    public KeyMaterial(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size) throw new ArgumentException($"key material must be {Size} bytes", nameof(bytes));
        _bytes = bytes.ToArray();
    }

    public ReadOnlySpan<byte> Bytes => _bytes;

    public ReadOnlySpan<byte> Cipher(int slot, int length) => _bytes.AsSpan(slot * SlotSize, length);

    public ReadOnlySpan<byte> Hmac(int slot, int length) => _bytes.AsSpan(slot * SlotSize + CipherSize, length);
}
