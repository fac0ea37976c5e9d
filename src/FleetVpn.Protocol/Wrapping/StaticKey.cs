using System.Globalization;
using FleetVpn.Protocol.Keys;

namespace FleetVpn.Protocol.Wrapping;

/// <summary>
/// An "OpenVPN Static key V1" (§3.1): 256 bytes = two <c>struct key</c> of cipher[64] ‖ hmac[64],
/// used by <c>--tls-auth</c> and <c>--tls-crypt</c>. <see cref="Parse"/> follows <c>read_key_file()</c>
/// in crypto.c: text before the BEGIN line and after the END line is ignored; inside, hex digit pairs
/// are read and whitespace is skipped; exactly 256 bytes are required.
/// </summary>
public sealed class StaticKey
{
    public const int Size = 256;
    public const int SlotSize = 128;
    public const int CipherSize = 64;
    public const int HmacSize = 64;

    /// <summary><c>static_key_head</c> in crypto.c.</summary>
    public const string Header = "-----BEGIN OpenVPN Static key V1-----";

    /// <summary><c>static_key_foot</c> in crypto.c.</summary>
    public const string Footer = "-----END OpenVPN Static key V1-----";

    private readonly byte[] _bytes;

    public StaticKey(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size) throw new ArgumentException($"a static key is {Size} bytes, not {bytes.Length}", nameof(bytes));
        _bytes = bytes.ToArray();
    }

    /// <summary>All 256 bytes in file order.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>keys[<paramref name="slot"/>].cipher (64 bytes; a cipher uses its first keylen bytes).</summary>
    public ReadOnlySpan<byte> Cipher(int slot) => _bytes.AsSpan(CheckSlot(slot) * SlotSize, CipherSize);

    /// <summary>keys[<paramref name="slot"/>].hmac (64 bytes; an HMAC uses its first digest-length bytes).</summary>
    public ReadOnlySpan<byte> Hmac(int slot) => _bytes.AsSpan(CheckSlot(slot) * SlotSize + CipherSize, HmacSize);

    /// <summary>The same 256 bytes as a <see cref="KeyMaterial"/> (identical <c>struct key2</c> layout).</summary>
    public KeyMaterial ToKeyMaterial() => new(_bytes);

    /// <summary>The slot this side sends with (§3.1 table).</summary>
    public static int SendSlot(KeyDirection direction) => direction switch
    {
        KeyDirection.Bidirectional => 0,
        KeyDirection.Normal => 0,
        KeyDirection.Inverse => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(direction)),
    };

    /// <summary>The slot this side receives with (§3.1 table).</summary>
    public static int ReceiveSlot(KeyDirection direction) => direction switch
    {
        KeyDirection.Bidirectional => 0,
        KeyDirection.Normal => 1,
        KeyDirection.Inverse => 0,
        _ => throw new ArgumentOutOfRangeException(nameof(direction)),
    };

    /// <summary>
    /// Parses the text of a static key file. Throws <see cref="FormatException"/> whose message says
    /// what is wrong (and on which line of the key text) for anything but exactly one 256-byte key.
    /// </summary>
    public static StaticKey Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bytes = new byte[Size];
        int count = 0;
        int high = -1;
        bool inKey = false;
        bool finished = false;
        int lineNumber = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.TrimEnd('\r');
            if (!inKey)
            {
                if (line.StartsWith(Header, StringComparison.Ordinal)) inKey = true;
                continue;
            }
            if (line.StartsWith('-'))
            {
                if (!line.StartsWith(Footer, StringComparison.Ordinal))
                    throw new FormatException($"static key line {lineNumber}: expected '{Footer}'");
                finished = true;
                break;
            }
            foreach (char c in line)
            {
                if (char.IsWhiteSpace(c)) continue;
                int digit = HexValue(c);
                if (digit < 0)
                    throw new FormatException(string.Create(CultureInfo.InvariantCulture,
                        $"static key line {lineNumber}: '{(char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString())}' is not a hex digit"));
                if (high < 0)
                {
                    high = digit;
                    continue;
                }
                if (count == Size)
                    throw new FormatException($"static key line {lineNumber}: more than {Size} bytes of key data");
                bytes[count++] = (byte)((high << 4) | digit);
                high = -1;
            }
        }
        if (!inKey) throw new FormatException($"not an OpenVPN static key: no '{Header}' line");
        if (!finished) throw new FormatException($"static key: no '{Footer}' line");
        if (high >= 0) throw new FormatException("static key: odd number of hex digits");
        if (count != Size) throw new FormatException($"static key has {count} bytes, expected {Size}");
        return new StaticKey(bytes);
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    private static int CheckSlot(int slot) =>
        slot is 0 or 1 ? slot : throw new ArgumentOutOfRangeException(nameof(slot), "a static key has slots 0 and 1");
}
