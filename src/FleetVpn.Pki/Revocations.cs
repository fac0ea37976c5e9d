using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace FleetVpn.Pki;

/// <summary>
/// <c>pki revoke</c> and <c>pki crl</c>: revoked certificates are kept in <c>DIR/revoked.txt</c> (one a line:
/// hex serial, UTC time, common name or '-'), and a CRL listing all of them is made with the BCL's
/// <see cref="CertificateRevocationListBuilder"/>, numbered on from <c>DIR/crlnumber</c> as easy-rsa numbers its CRLs.
/// </summary>
internal static class Revocations
{
    public static RevokedCertificate Revoke(PkiLayout layout, string? commonName, string? serialHex, DateTimeOffset now)
    {
        if ((commonName is null) == (serialHex is null)) throw new PkiException("name the certificate to revoke with --cn NAME or --serial HEX (one of them)");
        string serial;
        X509Certificate2? certificate = null;
        if (commonName is not null)
        {
            PkiNames.ValidateCommonName(commonName);
            var path = layout.CertificatePath(commonName);
            if (!File.Exists(path)) throw new PkiException($"{path} not found: DIR has no certificate '{commonName}' to revoke");
            certificate = X509Certificate2.CreateFromPem(File.ReadAllText(path));
            serial = Canonical(certificate.SerialNumberBytes.Span);
        }
        else
        {
            serial = Canonical(ParseSerial(serialHex!));
        }
        using (certificate)
        {
            var index = ReadIndex(layout);
            if (index.Any(r => r.SerialHex == serial)) throw new PkiException($"serial {serial} is already revoked (see {layout.RevokedIndexPath})");

            var revoked = new RevokedCertificate(serial, TruncateToSeconds(now), commonName);
            AppendToIndex(layout, revoked);
            if (commonName is not null) MoveOutOfIssued(layout, commonName, serial);
            return revoked;
        }
    }

    public static CrlResult WriteCrl(PkiLayout layout, X509Certificate2 caWithKey, string path, int days, DateTimeOffset now)
    {
        CertificateAuthority.ValidateDays(days);
        var entries = ReadIndex(layout);
        var builder = new CertificateRevocationListBuilder();
        foreach (var entry in entries) builder.AddEntry(ToBigInteger(entry.SerialHex).ToByteArray(isUnsigned: false, isBigEndian: true), entry.RevokedAt);

        var number = ReadCrlNumber(layout) + 1;
        // Backdated as certificates are, for servers whose clocks run a little behind the CA's.
        var thisUpdate = TruncateToSeconds(now) - CertificateAuthority.Backdate;
        var nextUpdate = TruncateToSeconds(now) + TimeSpan.FromDays(days);
        var padding = caWithKey.GetRSAPublicKey() is null ? null : RSASignaturePadding.Pkcs1;
        var der = builder.Build(caWithKey, number, nextUpdate, HashAlgorithmName.SHA256, padding, thisUpdate);

        var fullPath = Path.GetFullPath(path);
        ReplaceFile(fullPath, PemEncoding.WriteString("X509 CRL", der) + "\n");
        ReplaceFile(layout.CrlNumberPath, number.ToString(CultureInfo.InvariantCulture) + "\n");
        return new CrlResult(fullPath, number, entries.Count, thisUpdate, nextUpdate);
    }

    /// <summary>Every line of <c>DIR/revoked.txt</c> (none when the file does not exist).</summary>
    public static IReadOnlyList<RevokedCertificate> ReadIndex(PkiLayout layout)
    {
        if (!File.Exists(layout.RevokedIndexPath)) return [];
        var records = new List<RevokedCertificate>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(layout.RevokedIndexPath))
        {
            lineNumber++;
            if (line.Length == 0) continue;
            var fields = line.Split('\t');
            if (fields.Length != 3 || !IsHex(fields[0])
                || !DateTimeOffset.TryParseExact(fields[1], "yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
                throw new PkiException($"{layout.RevokedIndexPath}:{lineNumber}: not 'SERIAL<tab>yyyy-MM-ddTHH:mm:ssZ<tab>NAME'");
            records.Add(new RevokedCertificate(fields[0], at, fields[2] == "-" ? null : fields[2]));
        }
        return records;
    }

    public static BigInteger ToBigInteger(string serialHex) =>
        new(Convert.FromHexString(serialHex.Length % 2 == 1 ? "0" + serialHex : serialHex), isUnsigned: false, isBigEndian: true);

    /// <summary>Hex digits, with optional 0x and colons (openssl prints both ways).</summary>
    private static byte[] ParseSerial(string text)
    {
        var hex = text.Trim().Replace(":", "", StringComparison.Ordinal);
        if (hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) hex = hex[2..];
        if (hex.Length == 0 || hex.Length > 40 || !IsHex(hex))
            throw new PkiException($"'{text}' is not a serial number: give it in hex (1 to 40 digits), as 'openssl x509 -noout -serial' prints it");
        if (hex.Length % 2 == 1) hex = "0" + hex;
        // A serial is a positive INTEGER: the hex is its unsigned value.
        return new BigInteger(Convert.FromHexString(hex), isUnsigned: true, isBigEndian: true).ToByteArray(isUnsigned: false, isBigEndian: true);
    }

    /// <summary>The serial's DER INTEGER bytes in upper-case hex, minimal (so one serial has one spelling in the index).</summary>
    private static string Canonical(ReadOnlySpan<byte> serial) =>
        Convert.ToHexString(new BigInteger(serial, isUnsigned: false, isBigEndian: true).ToByteArray(isUnsigned: false, isBigEndian: true));

    private static bool IsHex(string text) => text.Length > 0 && text.All(char.IsAsciiHexDigit);

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - utc.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
    }

    private static void AppendToIndex(PkiLayout layout, RevokedCertificate revoked)
    {
        var line = $"{revoked.SerialHex}\t{revoked.RevokedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}\t{revoked.CommonName ?? "-"}\n";
        var created = !File.Exists(layout.RevokedIndexPath);
        File.AppendAllText(layout.RevokedIndexPath, line, Encoding.ASCII);
        if (created) PemFiles.SetMode(layout.RevokedIndexPath, PkiLayout.CertificateFileMode);
    }

    /// <summary>
    /// Moves the revoked certificate to <c>revoked/SERIAL.crt</c> and its key to <c>private/revoked-SERIAL.key</c> (still 0700),
    /// as easy-rsa moves them, so the name can be issued again.
    /// </summary>
    private static void MoveOutOfIssued(PkiLayout layout, string commonName, string serial)
    {
        PemFiles.CreateDirectory(layout.RevokedDirectory, PkiLayout.PublicDirectoryMode);
        File.Move(layout.CertificatePath(commonName), Path.Combine(layout.RevokedDirectory, serial + ".crt"));
        if (File.Exists(layout.KeyPath(commonName)))
            File.Move(layout.KeyPath(commonName), Path.Combine(layout.PrivateDirectory, $"revoked-{serial}.key"));
    }

    private static BigInteger ReadCrlNumber(PkiLayout layout)
    {
        if (!File.Exists(layout.CrlNumberPath)) return BigInteger.Zero;
        var text = File.ReadAllText(layout.CrlNumberPath).Trim();
        return BigInteger.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new PkiException($"{layout.CrlNumberPath}: '{text}' is not a CRL number");
    }

    /// <summary>Writes a new file beside <paramref name="path"/> and renames it over, so a server reading the CRL never sees half of one.</summary>
    private static void ReplaceFile(string path, string text)
    {
        var temporary = $"{path}.tmp-{Environment.ProcessId}";
        File.WriteAllText(temporary, text, Encoding.ASCII);
        PemFiles.SetMode(temporary, PkiLayout.CertificateFileMode);
        File.Move(temporary, path, overwrite: true);
    }
}
