using System.Buffers.Binary;
using System.Security.Cryptography;

namespace FleetVpn.Protocol.Wrapping;

/// <summary>
/// A tls-crypt-v2 client key file (§3.5, doc/tls-crypt-v2.txt): a PEM block labelled
/// <c>OpenVPN tls-crypt-v2 client key</c> holding Kc (256 bytes, the client's tls-crypt key) ‖ WKc (Kc and metadata
/// wrapped with the server key; opaque to the client, which appends it to its V3 reset and WKC_V1 packets).
/// </summary>
public sealed class TlsCryptV2ClientKey
{
    /// <summary><c>tls_crypt_v2_cli_pem_name</c>.</summary>
    public const string PemLabel = "OpenVPN tls-crypt-v2 client key";

    private readonly byte[] _wrappedKey;

    public TlsCryptV2ClientKey(StaticKey clientKey, ReadOnlySpan<byte> wrappedKey)
    {
        ArgumentNullException.ThrowIfNull(clientKey);
        if (!HasValidLength(wrappedKey)) throw new ArgumentException("not a wrapped client key (its length field does not match)", nameof(wrappedKey));
        Key = clientKey;
        _wrappedKey = wrappedKey.ToArray();
    }

    /// <summary>Kc: the client's tls-crypt key.</summary>
    public StaticKey Key { get; }

    /// <summary>WKc, as the server made it.</summary>
    public ReadOnlySpan<byte> WrappedKey => _wrappedKey;

    /// <summary>A new random Kc wrapped by <paramref name="serverKey"/> with <paramref name="metadata"/> (<c>tls_crypt_v2_write_client_key_file()</c>).</summary>
    public static TlsCryptV2ClientKey Create(TlsCryptV2ServerKey serverKey, ReadOnlySpan<byte> metadata)
    {
        ArgumentNullException.ThrowIfNull(serverKey);
        var kc = RandomNumberGenerator.GetBytes(TlsCryptV2ServerKey.ClientKeySize);
        try
        {
            return new TlsCryptV2ClientKey(new StaticKey(kc), serverKey.WrapClientKey(kc, metadata));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(kc);
        }
    }

    /// <summary>Reads a client key file; a <see cref="FormatException"/> saying what is wrong otherwise.</summary>
    public static TlsCryptV2ClientKey Parse(string text)
    {
        var bytes = TlsCryptV2Pem.Decode(text, PemLabel);
        try
        {
            var wrapped = bytes.AsSpan(Math.Min(bytes.Length, TlsCryptV2ServerKey.ClientKeySize));
            if (bytes.Length < TlsCryptV2ServerKey.ClientKeySize + TlsCryptV2ServerKey.MinWrappedKeySize || !HasValidLength(wrapped))
                throw new FormatException($"a tls-crypt-v2 client key is Kc ({TlsCryptV2ServerKey.ClientKeySize} bytes) and a wrapped key of at most {TlsCryptV2ServerKey.MaxWrappedKeySize} bytes whose last two bytes are its length; this one ({bytes.Length} bytes) is not");
            return new TlsCryptV2ClientKey(new StaticKey(bytes.AsSpan(0, TlsCryptV2ServerKey.ClientKeySize)), wrapped);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>The key file's text.</summary>
    public string ToPem()
    {
        var bytes = new byte[StaticKey.Size + _wrappedKey.Length];
        try
        {
            Key.Bytes.CopyTo(bytes);
            _wrappedKey.CopyTo(bytes.AsSpan(StaticKey.Size));
            return TlsCryptV2Pem.Encode(PemLabel, bytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    private static bool HasValidLength(ReadOnlySpan<byte> wrapped) =>
        wrapped.Length is >= TlsCryptV2ServerKey.MinWrappedKeySize and <= TlsCryptV2ServerKey.MaxWrappedKeySize
        && BinaryPrimitives.ReadUInt16BigEndian(wrapped[^2..]) == wrapped.Length;
}
