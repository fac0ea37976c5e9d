using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>
/// An easy-rsa style PKI directory for <c>fleetvpn swarm --pki DIR</c>: <c>ca.crt</c>, <c>issued/&lt;CN&gt;.crt</c>,
/// <c>private/&lt;CN&gt;.key</c> (PKCS#8 PEM), one server certificate (serverAuth only) and
/// <see cref="ClientCount"/> client certificates (clientAuth), all ECDSA P-256 (quick to make and to handshake).
/// </summary>
public sealed class SwarmTestPki
{
    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    private SwarmTestPki(string directory, int clients)
    {
        Directory = directory;
        ClientCount = clients;
    }

    public string Directory { get; }
    public int ClientCount { get; }
    public string CaPath => Path.Combine(Directory, "ca.crt");
    public string ServerCertificatePath => Path.Combine(Directory, "issued", "server.crt");
    public string ServerKeyPath => Path.Combine(Directory, "private", "server.key");

    public static SwarmTestPki Create(string directory, int clients)
    {
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "issued"));
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "private"));
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=FleetVPN Swarm Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        File.WriteAllText(Path.Combine(directory, "ca.crt"), ca.ExportCertificatePem() + "\n");

        Issue(directory, ca, "server", ServerAuthOid, now);
        for (int i = 1; i <= clients; i++) Issue(directory, ca, $"swarm-{i:D5}", ClientAuthOid, now);
        return new SwarmTestPki(directory, clients);
    }

    private static void Issue(string directory, X509Certificate2 issuer, string commonName, string eku, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(eku)], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var certificate = request.Create(issuer, now.AddHours(-1), now.AddDays(30), serial);
        File.WriteAllText(Path.Combine(directory, "issued", commonName + ".crt"), certificate.ExportCertificatePem() + "\n");
        var keyPath = Path.Combine(directory, "private", commonName + ".key");
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n");
        File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }
}
