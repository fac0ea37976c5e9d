using System.Buffers.Binary;

namespace FleetVpn.Protocol.Wrapping;

/// <summary>
/// The metadata wrapped with a tls-crypt-v2 client key (doc/tls-crypt-v2.txt): the first byte is the type,
/// <see cref="TypeUser"/> (free-form bytes, <c>--genkey tls-crypt-v2-client FILE BASE64</c>) or
/// <see cref="TypeTimestamp"/> (8-byte big-endian Unix time of key creation, OpenVPN's default).
/// </summary>
public static class TlsCryptV2Metadata
{
    /// <summary><c>TLS_CRYPT_METADATA_TYPE_USER</c>.</summary>
    public const byte TypeUser = 0x00;

    /// <summary><c>TLS_CRYPT_METADATA_TYPE_TIMESTAMP</c>.</summary>
    public const byte TypeTimestamp = 0x01;

    private const int TimestampSize = 1 + sizeof(long);

    /// <summary>TIMESTAMP metadata for a key made at <paramref name="unixSeconds"/>.</summary>
    public static byte[] Timestamp(long unixSeconds)
    {
        var metadata = new byte[TimestampSize];
        metadata[0] = TypeTimestamp;
        BinaryPrimitives.WriteInt64BigEndian(metadata.AsSpan(1), unixSeconds);
        return metadata;
    }

    /// <summary>USER metadata carrying <paramref name="data"/>.</summary>
    public static byte[] User(ReadOnlySpan<byte> data)
    {
        if (data.Length > TlsCryptV2ServerKey.MaxMetadataSize - 1)
            throw new ArgumentException($"user metadata is at most {TlsCryptV2ServerKey.MaxMetadataSize - 1} bytes, not {data.Length}", nameof(data));
        return [TypeUser, .. data];
    }

    /// <summary>The creation time of TIMESTAMP metadata (at least 9 bytes, as OpenVPN reads it); false for any other.</summary>
    public static bool TryGetTimestamp(ReadOnlySpan<byte> metadata, out long unixSeconds)
    {
        unixSeconds = 0;
        if (metadata.Length < TimestampSize || metadata[0] != TypeTimestamp) return false;
        unixSeconds = BinaryPrimitives.ReadInt64BigEndian(metadata[1..]);
        return true;
    }

    /// <summary>
    /// <c>--tls-crypt-v2-max-age DAYS</c> (<c>tls_crypt_v2_check_client_key_age()</c>, OpenVPN 2.7): true only for
    /// TIMESTAMP metadata no more than <paramref name="maxDays"/> days before <paramref name="nowUnixSeconds"/>.
    /// </summary>
    public static bool IsWithinMaxAge(ReadOnlySpan<byte> metadata, int maxDays, long nowUnixSeconds) =>
        TryGetTimestamp(metadata, out long created) && nowUnixSeconds - created <= maxDays * 86400L;
}
