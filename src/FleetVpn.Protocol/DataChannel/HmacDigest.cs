using System.Security.Cryptography;

namespace FleetVpn.Protocol.DataChannel;

/// <summary>
/// An HMAC digest of OpenVPN's <c>--auth</c> (§3.3 tls-auth, §7.3 CBC data channel): SHA1 (the 2.x
/// default, 20 bytes), SHA256 (32) or SHA512 (64). The key is the first <see cref="Length"/> bytes of a
/// <c>struct key</c> hmac slot (<c>init_key_ctx()</c> in crypto.c). One-shot and allocation-free;
/// instances are immutable and thread-safe.
/// </summary>
public sealed class HmacDigest
{
    public static readonly HmacDigest Sha1 = new("SHA1", HMACSHA1.HashSizeInBytes);
    public static readonly HmacDigest Sha256 = new("SHA256", HMACSHA256.HashSizeInBytes);
    public static readonly HmacDigest Sha512 = new("SHA512", HMACSHA512.HashSizeInBytes);

    /// <summary>Longest digest of <see cref="All"/> (for stack buffers).</summary>
    public const int MaxLength = HMACSHA512.HashSizeInBytes;

    public static IReadOnlyList<HmacDigest> All { get; } = [Sha1, Sha256, Sha512];

    private HmacDigest(string name, int length)
    {
        Name = name;
        Length = length;
    }

    /// <summary>OpenVPN's name of the digest (<c>--auth SHA256</c>).</summary>
    public string Name { get; }

    /// <summary>Digest length H in bytes; also the HMAC key length OpenVPN uses.</summary>
    public int Length { get; }

    /// <summary>Finds a digest by OpenVPN name, case-insensitively ("sha256").</summary>
    public static HmacDigest? Find(string name) =>
        All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Writes HMAC(<paramref name="key"/>, <paramref name="source"/>) to <paramref name="destination"/>; returns <see cref="Length"/>.</summary>
    public int Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (ReferenceEquals(this, Sha1)) return HMACSHA1.HashData(key, source, destination);
        if (ReferenceEquals(this, Sha256)) return HMACSHA256.HashData(key, source, destination);
        return HMACSHA512.HashData(key, source, destination);
    }

    public override string ToString() => Name;
}
