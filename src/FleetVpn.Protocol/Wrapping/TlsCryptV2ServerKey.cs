using System.Buffers.Binary;
using System.Security.Cryptography;

namespace FleetVpn.Protocol.Wrapping;

/// <summary>
/// The tls-crypt-v2 server key (§3.5, doc/tls-crypt-v2.txt, <c>tls_crypt_v2_init_server_key()</c> in tls_crypt.c): one
/// 128-byte <c>struct key</c> in a PEM block labelled <c>OpenVPN tls-crypt-v2 server key</c>;
/// Ke = cipher[0:32] (AES-256-CTR), Ka = hmac[0:32] (HMAC-SHA256). It wraps and unwraps client keys:
/// <code>
/// WKc = T ‖ AES-256-CTR(Ke, IV = T[0:16], Kc ‖ metadata) ‖ len     T = HMAC-SHA256(Ka, len ‖ Kc ‖ metadata)
/// </code>
/// (len: the length of WKc, 16 bits big-endian). Thread-safe; unwrapping allocates nothing.
/// </summary>
public sealed class TlsCryptV2ServerKey : IDisposable
{
    /// <summary><c>tls_crypt_v2_srv_pem_name</c>.</summary>
    public const string PemLabel = "OpenVPN tls-crypt-v2 server key";

    /// <summary><c>TLS_CRYPT_V2_SERVER_KEY_LEN</c>: <c>sizeof(struct key)</c>, cipher[64] ‖ hmac[64].</summary>
    public const int Size = 128;

    /// <summary><c>TLS_CRYPT_V2_CLIENT_KEY_LEN</c>: Kc, a 256-byte tls-crypt key.</summary>
    public const int ClientKeySize = StaticKey.Size;

    /// <summary><c>TLS_CRYPT_V2_MAX_WKC_LEN</c>.</summary>
    public const int MaxWrappedKeySize = 1024;

    /// <summary>Tag, Kc and the length field: a WKc with empty metadata.</summary>
    public const int MinWrappedKeySize = TagSize + ClientKeySize + LengthSize;

    /// <summary><c>TLS_CRYPT_V2_MAX_METADATA_LEN</c>: what is left of <see cref="MaxWrappedKeySize"/>.</summary>
    public const int MaxMetadataSize = MaxWrappedKeySize - MinWrappedKeySize;

    private const int TagSize = 32;
    private const int LengthSize = 2;
    private const int IvSize = 16;
    private const int KeyPartSize = 32;

    private readonly AesCtr _cipher;
    private readonly byte[] _hmacKey;

    /// <param name="key">The 128 bytes of the key file.</param>
    public TlsCryptV2ServerKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != Size) throw new ArgumentException($"a tls-crypt-v2 server key is {Size} bytes, not {key.Length}", nameof(key));
        _cipher = new AesCtr(key[..KeyPartSize]);
        _hmacKey = key.Slice(StaticKey.CipherSize, KeyPartSize).ToArray();
    }

    /// <summary>Reads a server key file; a <see cref="FormatException"/> saying what is wrong otherwise.</summary>
    public static TlsCryptV2ServerKey Parse(string text)
    {
        var bytes = TlsCryptV2Pem.Decode(text, PemLabel);
        try
        {
            if (bytes.Length != Size)
                throw new FormatException($"a tls-crypt-v2 server key holds {Size} bytes, this one {bytes.Length}");
            return new TlsCryptV2ServerKey(bytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>The text of a new server key file (128 random bytes), as <c>openvpn --genkey tls-crypt-v2-server</c> writes it.</summary>
    public static string GeneratePem()
    {
        var key = RandomNumberGenerator.GetBytes(Size);
        try
        {
            return TlsCryptV2Pem.Encode(PemLabel, key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>WKc for <paramref name="clientKey"/> (256 bytes) and <paramref name="metadata"/> (<c>tls_crypt_v2_wrap_client_key()</c>).</summary>
    public byte[] WrapClientKey(ReadOnlySpan<byte> clientKey, ReadOnlySpan<byte> metadata)
    {
        if (clientKey.Length != ClientKeySize) throw new ArgumentException($"a client key is {ClientKeySize} bytes", nameof(clientKey));
        if (metadata.Length > MaxMetadataSize) throw new ArgumentException($"metadata is at most {MaxMetadataSize} bytes", nameof(metadata));
        int length = MinWrappedKeySize + metadata.Length;
        var wrapped = new byte[length];
        var plaintext = wrapped.AsSpan(TagSize, ClientKeySize + metadata.Length);
        clientKey.CopyTo(plaintext);
        metadata.CopyTo(plaintext[ClientKeySize..]);
        BinaryPrimitives.WriteUInt16BigEndian(wrapped.AsSpan(length - LengthSize), (ushort)length);
        var tag = wrapped.AsSpan(0, TagSize);
        var input = new byte[LengthSize + plaintext.Length];
        wrapped.AsSpan(length - LengthSize).CopyTo(input);
        plaintext.CopyTo(input.AsSpan(LengthSize));
        HMACSHA256.HashData(_hmacKey, input, tag);
        CryptographicOperations.ZeroMemory(input);
        _cipher.Transform(tag[..IvSize], plaintext, plaintext);
        return wrapped;
    }

    /// <summary>
    /// Unwraps and authenticates WKc (<c>tls_crypt_v2_unwrap_client_key()</c>): its length field must equal its length
    /// (at most <see cref="MaxWrappedKeySize"/>), the tag must verify (constant-time). Writes Kc to
    /// <paramref name="clientKey"/> (256 bytes) and the metadata to <paramref name="metadata"/> (room for
    /// <see cref="MaxMetadataSize"/> bytes). False, with nothing written, for anything else; never throws for bad input.
    /// </summary>
    public bool TryUnwrapClientKey(ReadOnlySpan<byte> wrapped, Span<byte> clientKey, Span<byte> metadata, out int metadataLength)
    {
        metadataLength = 0;
        if (wrapped.Length is < MinWrappedKeySize or > MaxWrappedKeySize) return false;
        if (clientKey.Length < ClientKeySize || metadata.Length < wrapped.Length - MinWrappedKeySize) return false;
        var lengthField = wrapped[^LengthSize..];
        if (BinaryPrimitives.ReadUInt16BigEndian(lengthField) != wrapped.Length) return false;
        var tag = wrapped[..TagSize];
        var ciphertext = wrapped[TagSize..^LengthSize];
        // The HMAC input, len ‖ Kc ‖ metadata, with the plaintext decrypted into place.
        Span<byte> input = stackalloc byte[MaxWrappedKeySize];
        input = input[..(LengthSize + ciphertext.Length)];
        var plaintext = input[LengthSize..];
        Span<byte> computed = stackalloc byte[TagSize];
        try
        {
            lengthField.CopyTo(input);
            _cipher.Transform(tag[..IvSize], ciphertext, plaintext);
            HMACSHA256.HashData(_hmacKey, input, computed);
            if (!CryptographicOperations.FixedTimeEquals(computed, tag)) return false;
            plaintext[..ClientKeySize].CopyTo(clientKey);
            metadataLength = plaintext.Length - ClientKeySize;
            plaintext[ClientKeySize..].CopyTo(metadata);
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(input);
        }
    }

    public void Dispose()
    {
        _cipher.Dispose();
        CryptographicOperations.ZeroMemory(_hmacKey);
    }
}
