using System.Security.Cryptography;

namespace FleetVpn.Protocol.Wrapping;

/// <summary>
/// The PEM blocks of tls-crypt-v2 key files (<c>read_pem_key_file()</c>/<c>write_pem_key_file()</c> in crypto.c, which
/// use OpenSSL's PEM code): <c>-----BEGIN {label}-----</c>, base64 in lines of 64, <c>-----END {label}-----</c>.
/// Text around the block is ignored.
/// </summary>
public static class TlsCryptV2Pem
{
    /// <summary>The block's bytes; a <see cref="FormatException"/> saying what is wrong when there is no such block.</summary>
    public static byte[] Decode(string text, string label)
    {
        ArgumentNullException.ThrowIfNull(text);
        var chars = text.AsSpan();
        while (PemEncoding.TryFind(chars, out var fields))
        {
            if (chars[fields.Label].SequenceEqual(label))
            {
                var bytes = new byte[fields.DecodedDataLength];
                if (!Convert.TryFromBase64Chars(chars[fields.Base64Data], bytes, out int written) || written != bytes.Length)
                    throw new FormatException($"'{label}': the base64 data does not decode");
                return bytes;
            }
            chars = chars[fields.Location.End..];
        }
        throw new FormatException($"no '-----BEGIN {label}-----' block (or it is not valid PEM)");
    }

    /// <summary>The PEM text of <paramref name="data"/> with a final newline.</summary>
    public static string Encode(string label, ReadOnlySpan<byte> data) => PemEncoding.WriteString(label, data) + "\n";
}
