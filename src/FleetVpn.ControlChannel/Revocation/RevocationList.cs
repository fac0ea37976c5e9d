using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FleetVpn.ControlChannel.Revocation;

/// <summary>
/// One decoded X.509 CRL (RFC 5280 section 5): issuer, thisUpdate, nextUpdate, the revoked serial numbers, and what
/// its signature covers. Immutable. The BCL's <see cref="CertificateRevocationListBuilder.Load(byte[], out BigInteger)"/>
/// decodes a CRL too, but exposes neither its entries, its issuer, its dates nor a signature check, so the CRL is read
/// here with <see cref="AsnReader"/>.
/// </summary>
public sealed class RevocationList
{
    private readonly HashSet<BigInteger> _revoked;
    private readonly byte[] _signedBytes;
    private readonly byte[] _signature;

    private RevocationList(X500DistinguishedName issuer, DateTime thisUpdate, DateTime? nextUpdate, HashSet<BigInteger> revoked,
        string signatureAlgorithm, byte[] signedBytes, byte[] signature)
    {
        Issuer = issuer;
        ThisUpdate = thisUpdate;
        NextUpdate = nextUpdate;
        _revoked = revoked;
        SignatureAlgorithm = signatureAlgorithm;
        _signedBytes = signedBytes;
        _signature = signature;
    }

    /// <summary>The CA that issued (and signed) the CRL.</summary>
    public X500DistinguishedName Issuer { get; }

    /// <summary>When the CRL was issued (UTC).</summary>
    public DateTime ThisUpdate { get; }

    /// <summary>When the next CRL is due (UTC); past it the CRL is expired. Null when the CRL names no date.</summary>
    public DateTime? NextUpdate { get; }

    /// <summary>The OID of the signature algorithm.</summary>
    public string SignatureAlgorithm { get; }

    /// <summary>How many serial numbers the CRL revokes.</summary>
    public int RevokedCount => _revoked.Count;

    /// <summary>The revoked serial numbers.</summary>
    public IEnumerable<BigInteger> RevokedSerials => _revoked;

    /// <summary>Decodes a DER CRL; a <see cref="FormatException"/> says why one cannot be read.</summary>
    public static RevocationList Decode(byte[] der)
    {
        try
        {
            return DecodeCore(der);
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException or ArgumentException)
        {
            throw new FormatException($"not a valid X.509 CRL ({e.Message})", e);
        }
    }

    /// <summary>True when <paramref name="serialNumber"/> (the certificate's big-endian DER INTEGER bytes) is on the list.</summary>
    public bool Revokes(ReadOnlySpan<byte> serialNumber) => _revoked.Contains(new BigInteger(serialNumber, isUnsigned: false, isBigEndian: true));

    /// <summary>True when <paramref name="certificate"/> is issued by this CRL's issuer (so the CRL speaks for it).</summary>
    public bool Covers(X509Certificate2 certificate) => SameName(certificate.IssuerName, Issuer);

    /// <summary>True when <paramref name="ca"/> is the CRL's issuer and its public key verifies the CRL's signature.</summary>
    public bool IsSignedBy(X509Certificate2 ca)
    {
        if (!SameName(ca.SubjectName, Issuer)) return false;
        var (hash, isEcdsa) = SignatureAlgorithm switch
        {
            "1.2.840.113549.1.1.5" => (HashAlgorithmName.SHA1, false),
            "1.2.840.113549.1.1.11" => (HashAlgorithmName.SHA256, false),
            "1.2.840.113549.1.1.12" => (HashAlgorithmName.SHA384, false),
            "1.2.840.113549.1.1.13" => (HashAlgorithmName.SHA512, false),
            "1.2.840.10045.4.1" => (HashAlgorithmName.SHA1, true),
            "1.2.840.10045.4.3.2" => (HashAlgorithmName.SHA256, true),
            "1.2.840.10045.4.3.3" => (HashAlgorithmName.SHA384, true),
            "1.2.840.10045.4.3.4" => (HashAlgorithmName.SHA512, true),
            _ => throw new NotSupportedException($"the CRL's signature algorithm {SignatureAlgorithm} is not supported (RSA PKCS#1 v1.5 or ECDSA with SHA-1/2 are)"),
        };
        if (isEcdsa)
        {
            using var ec = ca.GetECDsaPublicKey();
            return ec is not null && ec.VerifyData(_signedBytes, _signature, hash, DSASignatureFormat.Rfc3279DerSequence);
        }
        using var rsa = ca.GetRSAPublicKey();
        return rsa is not null && rsa.VerifyData(_signedBytes, _signature, hash, RSASignaturePadding.Pkcs1);
    }

    /// <summary>The serial number as OpenVPN prints it and names files in a <c>crl-verify DIR dir</c> directory: decimal.</summary>
    public static string DecimalSerial(ReadOnlySpan<byte> serialNumber) =>
        new BigInteger(serialNumber, isUnsigned: false, isBigEndian: true).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static RevocationList DecodeCore(byte[] der)
    {
        // CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue BIT STRING }
        var outer = new AsnReader(der, AsnEncodingRules.DER);
        var certificateList = outer.ReadSequence();
        outer.ThrowIfNotEmpty();
        var signedBytes = certificateList.PeekEncodedValue().ToArray();
        var tbs = certificateList.ReadSequence();
        var outerAlgorithm = ReadAlgorithm(certificateList);
        var signature = certificateList.ReadBitString(out var unusedBits);
        certificateList.ThrowIfNotEmpty();
        if (unusedBits != 0) throw new FormatException("the signature is not a whole number of bytes");

        // TBSCertList ::= SEQUENCE { version OPTIONAL, signature, issuer, thisUpdate, nextUpdate OPTIONAL,
        //                            revokedCertificates OPTIONAL, [0] crlExtensions OPTIONAL }
        if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer)) tbs.ReadInteger();
        if (ReadAlgorithm(tbs) != outerAlgorithm)
            throw new FormatException("the signature algorithm inside the CRL differs from the one outside it");
        var issuer = new X500DistinguishedName(tbs.ReadEncodedValue().Span);
        var thisUpdate = ReadTime(tbs);
        DateTime? nextUpdate = tbs.HasData && IsTime(tbs.PeekTag()) ? ReadTime(tbs) : null;
        var revoked = new HashSet<BigInteger>();
        if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
        {
            var entries = tbs.ReadSequence();
            while (entries.HasData)
            {
                // SEQUENCE { userCertificate INTEGER, revocationDate Time, crlEntryExtensions OPTIONAL }
                var entry = entries.ReadSequence();
                revoked.Add(entry.ReadInteger());
                ReadTime(entry);
            }
        }
        return new RevocationList(issuer, thisUpdate, nextUpdate, revoked, outerAlgorithm, signedBytes, signature);
    }

    private static string ReadAlgorithm(AsnReader reader)
    {
        var algorithm = reader.ReadSequence();
        return algorithm.ReadObjectIdentifier(); // parameters (NULL for RSA, absent for ECDSA) are not needed
    }

    private static bool IsTime(Asn1Tag tag) =>
        tag.HasSameClassAndValue(Asn1Tag.UtcTime) || tag.HasSameClassAndValue(Asn1Tag.GeneralizedTime);

    private static DateTime ReadTime(AsnReader reader) =>
        (reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime()).UtcDateTime;

    private static bool SameName(X500DistinguishedName a, X500DistinguishedName b) =>
        a.RawData.AsSpan().SequenceEqual(b.RawData) || string.Equals(a.Name, b.Name, StringComparison.Ordinal);
}
