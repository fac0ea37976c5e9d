using System.Security.Cryptography;
using System.Text;

namespace FleetVpn.Pki;

/// <summary>
/// OpenVPN static keys (tls-auth, tls-crypt), in the form <c>openvpn --genkey secret FILE</c> writes:
/// three comment lines, <c>-----BEGIN OpenVPN Static key V1-----</c>, 16 lines of 32 lowercase hex
/// digits (256 random bytes), <c>-----END OpenVPN Static key V1-----</c>.
/// </summary>
public static class StaticKeyFile
{
    public const int KeySize = 256;
    public const int BytesPerLine = 16;
    public const string Header = "-----BEGIN OpenVPN Static key V1-----";
    public const string Footer = "-----END OpenVPN Static key V1-----";

    /// <summary>The text of a new key made from 256 bytes of <see cref="RandomNumberGenerator"/>.</summary>
    public static string Generate()
    {
        Span<byte> key = stackalloc byte[KeySize];
        RandomNumberGenerator.Fill(key);
        try
        {
            return Format(key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>The static key file text of <paramref name="key"/> (256 bytes).</summary>
    public static string Format(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeySize) throw new ArgumentException($"a static key is {KeySize} bytes, not {key.Length}", nameof(key));
        var text = new StringBuilder(800)
            .Append("#\n# 2048 bit OpenVPN static key\n#\n")
            .Append(Header).Append('\n');
        for (var offset = 0; offset < KeySize; offset += BytesPerLine)
            text.Append(Convert.ToHexStringLower(key.Slice(offset, BytesPerLine))).Append('\n');
        return text.Append(Footer).Append('\n').ToString();
    }

    /// <summary>Writes a new key to <paramref name="path"/> (mode 0600); refuses an existing file.</summary>
    public static void WriteNew(string path) => WriteNewKeyFile(path, Generate());

    /// <summary>Writes <paramref name="text"/>, a secret key (tls-crypt-v2 keys too), to the new file <paramref name="path"/> (mode 0600); refuses an existing file.</summary>
    public static void WriteNewKeyFile(string path, string text)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null && !Directory.Exists(directory))
            throw new PkiException($"{directory} does not exist");
        if (File.Exists(path) || Directory.Exists(path))
            throw new PkiException($"{path} already exists; not overwriting it");
        PemFiles.WriteNew(path, text, PkiLayout.KeyFileMode);
    }

    /// <summary>
    /// The key block of a static key file (from the BEGIN line to the END line, comments dropped), checked to hold
    /// exactly 256 bytes of hex; a <see cref="PkiException"/> naming <paramref name="source"/> otherwise.
    /// </summary>
    public static string ExtractBlock(string text, string source)
    {
        var lines = text.Replace("\r", "", StringComparison.Ordinal).Split('\n');
        var begin = Array.FindIndex(lines, l => l.Trim() == Header);
        if (begin < 0) throw new PkiException($"{source}: not an OpenVPN static key (no '{Header}' line)");
        var end = Array.FindIndex(lines, begin + 1, l => l.Trim() == Footer);
        if (end < 0) throw new PkiException($"{source}: no '{Footer}' line");
        var hex = string.Concat(lines[(begin + 1)..end].Select(l => l.Trim()));
        if (hex.Length != KeySize * 2 || !hex.All(char.IsAsciiHexDigit))
            throw new PkiException($"{source}: the key is not {KeySize} bytes of hex digits");
        return string.Join('\n', lines[begin..(end + 1)].Select(l => l.Trim())) + "\n";
    }
}
