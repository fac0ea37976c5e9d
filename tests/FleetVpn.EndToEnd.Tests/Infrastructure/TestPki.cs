using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Certificates made for one test class with <see cref="CertificateRequest"/> and written as
/// PEM files into <see cref="Directory"/>: a CA, a server certificate (serverAuth), good client
/// certificates (clientAuth), and clients the server must refuse: one issued by another CA,
/// an expired one, and one without the clientAuth extended key usage.
/// </summary>
public sealed class TestPki
{
    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    private TestPki(string directory) => Directory = directory;

    public string Directory { get; }

    /// <summary>The CA the server trusts (and the clients trust for the server).</summary>
    public required string CaPath { get; init; }

    /// <summary>That CA with its private key, to sign CRLs (<see cref="WriteCrl"/>).</summary>
    public required X509Certificate2 Ca { get; init; }

    public required CertificateFiles Server { get; init; }
    public required CertificateFiles Client1 { get; init; }
    public required CertificateFiles Client2 { get; init; }

    /// <summary>clientAuth, valid dates, but issued by a CA the server does not know.</summary>
    public required CertificateFiles OtherCaClient { get; init; }

    /// <summary>Issued by the server's CA, clientAuth, but expired yesterday.</summary>
    public required CertificateFiles ExpiredClient { get; init; }

    /// <summary>Issued by the server's CA, valid dates, but without an extended key usage extension (so no clientAuth).</summary>
    public required CertificateFiles NoClientAuthClient { get; init; }

    public static TestPki Create(string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        var now = DateTimeOffset.UtcNow;
        var ca = CreateCa("FleetVPN E2E Test CA", now); // kept: it signs the CRLs of the revocation tests
        using var otherCa = CreateCa("FleetVPN E2E Other CA", now);

        var caPath = Path.Combine(directory, "ca.crt");
        File.WriteAllText(caPath, ca.ExportCertificatePem() + "\n");
        File.WriteAllText(Path.Combine(directory, "other-ca.crt"), otherCa.ExportCertificatePem() + "\n");

        var validFrom = now.AddHours(-1);
        var validTo = now.AddDays(30);
        return new TestPki(directory)
        {
            CaPath = caPath,
            Ca = ca,
            Server = Issue(directory, ca, "server", ServerAuthOid, validFrom, validTo),
            Client1 = Issue(directory, ca, "client1", ClientAuthOid, validFrom, validTo),
            Client2 = Issue(directory, ca, "client2", ClientAuthOid, validFrom, validTo),
            OtherCaClient = Issue(directory, otherCa, "otherca-client", ClientAuthOid, validFrom, validTo),
            ExpiredClient = Issue(directory, ca, "expired-client", ClientAuthOid, now.AddDays(-30), now.AddDays(-1)),
            NoClientAuthClient = Issue(directory, ca, "noeku-client", eku: null, validFrom, validTo),
        };
    }

    /// <summary>A further server certificate (serverAuth) from <see cref="Ca"/>, e.g. the renewed one a reload takes up.</summary>
    public CertificateFiles IssueServer(string commonName) =>
        Issue(Directory, Ca, commonName, ServerAuthOid, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(30));

    /// <summary>Writes a PEM CRL signed by <see cref="Ca"/> that revokes <paramref name="revoked"/>, valid for a day.</summary>
    public void WriteCrl(string path, params CertificateFiles[] revoked) =>
        WriteCrl(path, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), revoked);

    /// <summary>Writes a PEM CRL signed by <see cref="Ca"/> that revokes <paramref name="revoked"/>, valid from <paramref name="thisUpdate"/> to <paramref name="nextUpdate"/>.</summary>
    public void WriteCrl(string path, DateTimeOffset thisUpdate, DateTimeOffset nextUpdate, params CertificateFiles[] revoked)
    {
        var builder = new CertificateRevocationListBuilder();
        foreach (var identity in revoked)
        {
            using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(identity.CertificatePath));
            builder.AddEntry(certificate, thisUpdate);
        }
        var der = builder.Build(Ca, System.Numerics.BigInteger.One, nextUpdate, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1, thisUpdate);
        File.WriteAllText(path, PemEncoding.WriteString("X509 CRL", der) + "\n");
    }

    /// <summary>The certificate's serial in decimal: the file name that revokes it in a <c>crl-verify DIR dir</c> directory.</summary>
    public static string DecimalSerial(CertificateFiles identity)
    {
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(identity.CertificatePath));
        return new System.Numerics.BigInteger(certificate.SerialNumberBytes.Span, isUnsigned: false, isBigEndian: true).ToString();
    }

    private static X509Certificate2 CreateCa(string name, DateTimeOffset now)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(now.AddDays(-365), now.AddDays(365));
    }

    private static CertificateFiles Issue(string directory, X509Certificate2 issuer, string commonName, string? eku,
        DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        if (eku is not null)
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(eku)], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        if (eku == ServerAuthOid)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName(commonName);
            request.CertificateExtensions.Add(san.Build());
        }

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var certificate = request.Create(issuer, notBefore, notAfter, serial);

        var certPath = Path.Combine(directory, commonName + ".crt");
        var keyPath = Path.Combine(directory, commonName + ".key");
        File.WriteAllText(certPath, certificate.ExportCertificatePem() + "\n");
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n");
        File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return new CertificateFiles(commonName, certPath, keyPath);
    }
}
