using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FleetVpn.Server.Tests.Config;

namespace FleetVpn.Server.Tests.Revocation;

/// <summary>CRLs for the tests, made with the BCL's <see cref="CertificateRevocationListBuilder"/>, and the fixture CA with its key.</summary>
internal static class TestCrls
{
    /// <summary>The shared fixture CA (ca.crt) with its private key (ca.key), to sign CRLs that the fixture config trusts.</summary>
    public static X509Certificate2 FixtureCa() =>
        X509Certificate2.CreateFromPemFile(Path.Combine(ConfigTestFiles.KeysDirectory, "ca.crt"), Path.Combine(ConfigTestFiles.KeysDirectory, "ca.key"));

    /// <summary>The fixture's client certificate (client.crt, CN=test-client).</summary>
    public static X509Certificate2 FixtureClient() =>
        X509CertificateLoader.LoadCertificateFromFile(Path.Combine(ConfigTestFiles.KeysDirectory, "client.crt"));

    public static X509Certificate2 FixtureServer() =>
        X509CertificateLoader.LoadCertificateFromFile(Path.Combine(ConfigTestFiles.KeysDirectory, "server.crt"));

    /// <summary>A DER CRL signed by <paramref name="issuer"/> (with its private key) revoking <paramref name="revoked"/>.</summary>
    public static byte[] Build(X509Certificate2 issuer, IEnumerable<X509Certificate2> revoked, DateTimeOffset? thisUpdate = null, DateTimeOffset? nextUpdate = null)
    {
        var builder = new CertificateRevocationListBuilder();
        foreach (var certificate in revoked) builder.AddEntry(certificate, DateTimeOffset.UtcNow.AddMinutes(-5));
        var from = thisUpdate ?? DateTimeOffset.UtcNow.AddMinutes(-10);
        var until = nextUpdate ?? DateTimeOffset.UtcNow.AddDays(7);
        var padding = issuer.GetRSAPrivateKey() is null ? null : RSASignaturePadding.Pkcs1;
        return builder.Build(issuer, BigInteger.One, until, HashAlgorithmName.SHA256, padding, from);
    }

    public static string Pem(byte[] der) => PemEncoding.WriteString("X509 CRL", der) + "\n";

    /// <summary>A self-signed CA with its key: EC P-256 or RSA 2048.</summary>
    public static X509Certificate2 NewCa(string name, bool ec)
    {
        var now = DateTimeOffset.UtcNow;
        CertificateRequest request;
        if (ec)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
            AddCaExtensions(request);
            return request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        }
        using var rsa = RSA.Create(2048);
        request = new CertificateRequest($"CN={name}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        AddCaExtensions(request);
        return request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
    }

    /// <summary>A client certificate issued by <paramref name="ca"/>.</summary>
    public static X509Certificate2 Issue(X509Certificate2 ca, string commonName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        return request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10), serial);
    }

    private static void AddCaExtensions(CertificateRequest request)
    {
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
    }
}
