using System.Security.Cryptography;

namespace FleetVpn.Pki;

/// <summary>Certificate serial numbers: 16 random bytes (128 bits, as easy-rsa makes them), positive and always 16 bytes long.</summary>
internal static class SerialNumbers
{
    public const int Length = 16;

    public static byte[] New()
    {
        var serial = new byte[Length];
        RandomNumberGenerator.Fill(serial);
        // Top bit clear (a positive DER INTEGER), next bit set (no leading zero byte to strip).
        serial[0] = (byte)((serial[0] & 0x7F) | 0x40);
        return serial;
    }
}
