using System.Globalization;

namespace FleetVpn.Pki;

/// <summary>
/// Common names and client numbering. A common name becomes a file name (<c>issued/CN.crt</c>), so it
/// is kept to letters, digits, '.', '-', '_' and '@', at most 64 characters (the X.520 limit), and
/// neither "ca" (that is <c>private/ca.key</c>) nor a name starting with '.'.
/// Client names are a prefix and a number of at least <see cref="ClientNumberDigits"/> digits, zero-padded: <c>device-000001</c>.
/// </summary>
public static class PkiNames
{
    public const int MaxCommonNameLength = 64;

    /// <summary>Digits of a client number: 6, zero-padded (numbers past 999999 take more).</summary>
    public const int ClientNumberDigits = 6;

    public const string DefaultClientPrefix = "device-";

    /// <summary>Throws <see cref="PkiException"/> when <paramref name="commonName"/> cannot be a common name here.</summary>
    public static void ValidateCommonName(string commonName)
    {
        if (string.IsNullOrEmpty(commonName))
            throw new PkiException("the common name is empty");
        if (commonName.Length > MaxCommonNameLength)
            throw new PkiException($"the common name '{commonName}' is longer than {MaxCommonNameLength} characters");
        if (commonName[0] == '.')
            throw new PkiException($"the common name '{commonName}' starts with '.'");
        if (string.Equals(commonName, "ca", StringComparison.OrdinalIgnoreCase))
            throw new PkiException("'ca' is reserved for the CA's own files (ca.crt, private/ca.key)");
        foreach (var c in commonName)
            if (!IsNameCharacter(c))
                throw new PkiException($"the common name '{commonName}' has '{c}': use letters, digits, '.', '-', '_' or '@'");
    }

    /// <summary>Throws <see cref="PkiException"/> when <paramref name="prefix"/> cannot start client names (it may be empty).</summary>
    public static void ValidateClientPrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length > MaxCommonNameLength - ClientNumberDigits - 1)
            throw new PkiException($"the prefix '{prefix}' is longer than {MaxCommonNameLength - ClientNumberDigits - 1} characters");
        if (prefix.StartsWith('.'))
            throw new PkiException($"the prefix '{prefix}' starts with '.'");
        foreach (var c in prefix)
            if (!IsNameCharacter(c))
                throw new PkiException($"the prefix '{prefix}' has '{c}': use letters, digits, '.', '-', '_' or '@'");
    }

    /// <summary>The client name of number <paramref name="number"/>: <c>device-000042</c>.</summary>
    public static string ClientName(string prefix, long number) =>
        prefix + number.ToString("D" + ClientNumberDigits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>
    /// The number in <paramref name="commonName"/> when it is <paramref name="prefix"/> followed by
    /// at least <see cref="ClientNumberDigits"/> ASCII digits and nothing else; otherwise null.
    /// </summary>
    public static long? ClientNumber(string prefix, ReadOnlySpan<char> commonName)
    {
        if (!commonName.StartsWith(prefix, StringComparison.Ordinal)) return null;
        var digits = commonName[prefix.Length..];
        if (digits.Length < ClientNumberDigits || digits.Length > 18) return null;
        foreach (var c in digits)
            if (!char.IsAsciiDigit(c)) return null;
        return long.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The highest client number with <paramref name="prefix"/> in the PKI: over certificates in
    /// <c>issued/</c> and keys in <c>private/</c> (a key whose certificate was never written still takes
    /// its number), 0 when there is none.
    /// </summary>
    public static long HighestClientNumber(PkiLayout layout, string prefix)
    {
        long highest = 0;
        Scan(layout.IssuedDirectory, ".crt");
        Scan(layout.PrivateDirectory, ".key");
        return highest;

        void Scan(string directory, string extension)
        {
            if (!Directory.Exists(directory)) return;
            foreach (var path in Directory.EnumerateFiles(directory, prefix + "*" + extension))
            {
                var name = Path.GetFileName(path.AsSpan());
                if (!name.EndsWith(extension, StringComparison.Ordinal)) continue;
                if (ClientNumber(prefix, name[..^extension.Length]) is { } number && number > highest) highest = number;
            }
        }
    }

    private static bool IsNameCharacter(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '@';
}
