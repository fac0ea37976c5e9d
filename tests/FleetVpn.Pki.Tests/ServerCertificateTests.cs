using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FleetVpn.Pki.Tests;

public sealed class ServerCertificateTests : IDisposable
{
    private readonly TempPki _pki = new();

    public void Dispose() => _pki.Dispose();

    [Fact]
    public void Server_certificate_has_server_auth_digital_signature_and_chains_to_the_ca()
    {
        using var ca = _pki.Init();
        var issued = ca.IssueServer("vpn.example.com");

        Assert.Equal(Path.Combine(_pki.Root, "issued", "vpn.example.com.crt"), issued.CertificatePath);
        Assert.Equal(Path.Combine(_pki.Root, "private", "vpn.example.com.key"), issued.KeyPath);
        using var certificate = CertificateChecks.Load(issued.CertificatePath);
        Assert.Equal("CN=vpn.example.com", certificate.Subject);
        Assert.Equal(ca.Certificate.Subject, certificate.Issuer);
        Assert.Equal([CertificateProfiles.ServerAuthOid], CertificateChecks.ExtendedKeyUsages(certificate));
        var usage = CertificateChecks.Extension<X509KeyUsageExtension>(certificate);
        Assert.Equal(X509KeyUsageFlags.DigitalSignature, usage.KeyUsages);
        var basic = CertificateChecks.Extension<X509BasicConstraintsExtension>(certificate);
        Assert.False(basic.CertificateAuthority);
        Assert.Equal("vpn.example.com", certificate.GetNameInfo(X509NameType.DnsName, false));
        AssertKeyIdentifiers(certificate, ca.Certificate);

        CertificateChecks.AssertChainsTo(certificate, ca.Certificate, CertificateProfiles.ServerAuthOid);
        CertificateChecks.AssertKeyMatches(issued.CertificatePath, issued.KeyPath);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            File.GetUnixFileMode(issued.CertificatePath));
    }

    [Fact]
    public void Server_named_by_an_ip_address_gets_an_ip_subject_alt_name()
    {
        using var ca = _pki.Init();
        var issued = ca.IssueServer("10.77.0.1");
        using var certificate = CertificateChecks.Load(issued.CertificatePath);
        var san = CertificateChecks.Extension<X509SubjectAlternativeNameExtension>(certificate);
        Assert.Equal("10.77.0.1", Assert.Single(san.EnumerateIPAddresses()).ToString());
    }

    [Fact]
    public void Rsa_server_has_a_2048_bit_key_with_key_encipherment()
    {
        using var ca = _pki.Init();
        var issued = ca.IssueServer("server", PkiKeyType.Rsa2048);
        using var certificate = CertificateChecks.Load(issued.CertificatePath);
        using var key = certificate.GetRSAPublicKey();
        Assert.Equal(2048, key!.KeySize);
        Assert.Equal(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment,
            CertificateChecks.Extension<X509KeyUsageExtension>(certificate).KeyUsages);
        CertificateChecks.AssertChainsTo(certificate, ca.Certificate, CertificateProfiles.ServerAuthOid);
        CertificateChecks.AssertKeyMatches(issued.CertificatePath, issued.KeyPath);
    }

    [Fact]
    public void Rsa_ca_signs_ecdsa_leaves()
    {
        using var ca = _pki.Init(PkiKeyType.Rsa2048);
        var issued = ca.IssueServer("server");
        using var certificate = CertificateChecks.Load(issued.CertificatePath);
        Assert.Equal("1.2.840.113549.1.1.11", certificate.SignatureAlgorithm.Value);
        CertificateChecks.AssertChainsTo(certificate, ca.Certificate, CertificateProfiles.ServerAuthOid);
    }

    [Fact]
    public void Server_refuses_a_name_that_exists_and_keeps_its_files()
    {
        using var ca = _pki.Init();
        var first = ca.IssueServer("server");
        var cert = File.ReadAllText(first.CertificatePath);
        var key = File.ReadAllText(first.KeyPath);

        var error = Assert.Throws<PkiException>(() => ca.IssueServer("server"));
        Assert.Contains("already exists", error.Message);
        Assert.Equal(cert, File.ReadAllText(first.CertificatePath));
        Assert.Equal(key, File.ReadAllText(first.KeyPath));
    }

    [Fact]
    public void Server_refuses_a_name_whose_key_alone_exists()
    {
        using var ca = _pki.Init();
        File.WriteAllText(_pki.Layout.KeyPath("server"), "orphan");
        Assert.Throws<PkiException>(() => ca.IssueServer("server"));
        Assert.Equal("orphan", File.ReadAllText(_pki.Layout.KeyPath("server")));
        Assert.False(File.Exists(_pki.Layout.CertificatePath("server")));
    }

    [Theory]
    [InlineData("ca")]
    [InlineData("CA")]
    [InlineData("")]
    [InlineData("../escape")]
    [InlineData("a/b")]
    [InlineData(".hidden")]
    [InlineData("with space")]
    public void Server_refuses_names_that_cannot_be_files_here(string name)
    {
        using var ca = _pki.Init();
        Assert.Throws<PkiException>(() => ca.IssueServer(name));
        Assert.Empty(Directory.EnumerateFiles(_pki.Layout.IssuedDirectory));
        Assert.Equal(["ca.key"], Directory.EnumerateFiles(_pki.Layout.PrivateDirectory).Select(p => Path.GetFileName(p)));
    }

    [Fact]
    public void Server_refuses_a_validity_beyond_the_cas()
    {
        using var ca = CertificateAuthority.Create(_pki.Root, days: 30);
        var error = Assert.Throws<PkiException>(() => ca.IssueServer("server", days: 31));
        Assert.Contains("outlive the CA", error.Message);
        ca.IssueServer("server", days: 29);
    }

    internal static void AssertKeyIdentifiers(X509Certificate2 leaf, X509Certificate2 ca)
    {
        var ski = CertificateChecks.Extension<X509SubjectKeyIdentifierExtension>(leaf);
        Assert.Equal(new X509SubjectKeyIdentifierExtension(leaf.PublicKey, false).SubjectKeyIdentifier, ski.SubjectKeyIdentifier);
        var aki = CertificateChecks.Extension<X509AuthorityKeyIdentifierExtension>(leaf);
        var caSki = CertificateChecks.Extension<X509SubjectKeyIdentifierExtension>(ca);
        Assert.True(aki.KeyIdentifier.HasValue);
        Assert.Equal(caSki.SubjectKeyIdentifierBytes.ToArray(), aki.KeyIdentifier.Value.ToArray());
    }
}
