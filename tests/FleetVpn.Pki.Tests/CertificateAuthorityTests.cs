using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FleetVpn.Pki.Tests;

public sealed class CertificateAuthorityTests : IDisposable
{
    private readonly TempPki _pki = new();

    public void Dispose() => _pki.Dispose();

    [Fact]
    public void Init_writes_easy_rsa_layout_with_private_modes()
    {
        using var ca = _pki.Init();
        var layout = _pki.Layout;

        Assert.Equal(Path.Combine(_pki.Root, "ca.crt"), layout.CaCertificatePath);
        Assert.Equal(Path.Combine(_pki.Root, "private", "ca.key"), layout.CaKeyPath);
        Assert.True(File.Exists(layout.CaCertificatePath));
        Assert.True(File.Exists(layout.CaKeyPath));
        Assert.True(Directory.Exists(layout.IssuedDirectory));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(layout.PrivateDirectory));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(layout.CaKeyPath));
        Assert.StartsWith("-----BEGIN CERTIFICATE-----\n", File.ReadAllText(layout.CaCertificatePath));
        CertificateChecks.AssertKeyMatches(layout.CaCertificatePath, layout.CaKeyPath);
    }

    [Fact]
    public void Init_tightens_an_existing_private_directory()
    {
        Directory.CreateDirectory(Path.Combine(_pki.Root, "private"));
        File.SetUnixFileMode(Path.Combine(_pki.Root, "private"), (UnixFileMode)0x1ED); // 0755
        using var ca = _pki.Init();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_pki.Layout.PrivateDirectory));
    }

    [Fact]
    public void Ca_certificate_is_a_self_signed_p256_ca_with_key_cert_sign_and_crl_sign()
    {
        using var ca = _pki.Init();
        using var certificate = CertificateChecks.Load(_pki.Layout.CaCertificatePath);

        Assert.Equal("CN=FleetVPN CA", certificate.Subject);
        Assert.Equal(certificate.Subject, certificate.Issuer);
        Assert.Equal(3, certificate.Version);
        var basic = CertificateChecks.Extension<X509BasicConstraintsExtension>(certificate);
        Assert.True(basic.CertificateAuthority);
        Assert.True(basic.Critical);
        Assert.False(basic.HasPathLengthConstraint);
        var usage = CertificateChecks.Extension<X509KeyUsageExtension>(certificate);
        Assert.Equal(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, usage.KeyUsages);
        Assert.True(usage.Critical);
        Assert.NotEmpty(CertificateChecks.Extension<X509SubjectKeyIdentifierExtension>(certificate).SubjectKeyIdentifier!);
        using var key = certificate.GetECDsaPublicKey();
        Assert.NotNull(key);
        Assert.Equal(256, key.KeySize);
        Assert.Equal("1.2.840.10045.4.3.2", certificate.SignatureAlgorithm.Value); // ecdsa-with-SHA256
        Assert.True(certificate.NotAfter > DateTime.UtcNow.AddDays(CertificateAuthority.DefaultCaDays - 1));
        Assert.True(certificate.NotBefore <= DateTime.Now);
    }

    [Fact]
    public void Rsa_ca_has_a_2048_bit_key_and_sha256_rsa_signature()
    {
        using var ca = _pki.Init(PkiKeyType.Rsa2048);
        using var certificate = CertificateChecks.Load(_pki.Layout.CaCertificatePath);
        using var key = certificate.GetRSAPublicKey();
        Assert.NotNull(key);
        Assert.Equal(2048, key.KeySize);
        Assert.Equal("1.2.840.113549.1.1.11", certificate.SignatureAlgorithm.Value); // sha256WithRSAEncryption
        CertificateChecks.AssertKeyMatches(_pki.Layout.CaCertificatePath, _pki.Layout.CaKeyPath);
    }

    [Fact]
    public void Init_refuses_a_directory_with_a_ca_and_leaves_it_as_it_was()
    {
        using (_pki.Init()) { }
        var before = File.ReadAllText(_pki.Layout.CaCertificatePath);
        var keyBefore = File.ReadAllText(_pki.Layout.CaKeyPath);

        var error = Assert.Throws<PkiException>(() => _pki.Init());
        Assert.Contains("already has a CA", error.Message);
        Assert.Equal(before, File.ReadAllText(_pki.Layout.CaCertificatePath));
        Assert.Equal(keyBefore, File.ReadAllText(_pki.Layout.CaKeyPath));
    }

    [Fact]
    public void Init_refuses_a_leftover_ca_key()
    {
        Directory.CreateDirectory(_pki.Layout.PrivateDirectory);
        File.WriteAllText(_pki.Layout.CaKeyPath, "old");
        var error = Assert.Throws<PkiException>(() => _pki.Init());
        Assert.Contains("ca.key", error.Message);
        Assert.Equal("old", File.ReadAllText(_pki.Layout.CaKeyPath));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(CertificateAuthority.MaxDays + 1)]
    public void Init_refuses_bad_days(int days)
    {
        var error = Assert.Throws<PkiException>(() => CertificateAuthority.Create(_pki.Root, days: days));
        Assert.Contains("--days", error.Message);
        Assert.False(File.Exists(_pki.Layout.CaCertificatePath));
    }

    [Fact]
    public void Open_refuses_a_directory_without_a_ca()
    {
        Directory.CreateDirectory(_pki.Root);
        var error = Assert.Throws<PkiException>(() => CertificateAuthority.Open(_pki.Root));
        Assert.Contains("has no CA", error.Message);
        Assert.Contains("fleetvpn pki init", error.Message);
    }

    [Fact]
    public void Open_refuses_a_key_that_is_not_the_cas()
    {
        using (_pki.Init()) { }
        File.Delete(_pki.Layout.CaKeyPath);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        File.WriteAllText(_pki.Layout.CaKeyPath, other.ExportPkcs8PrivateKeyPem());
        var error = Assert.Throws<PkiException>(() => CertificateAuthority.Open(_pki.Root));
        Assert.Contains("is not the key of", error.Message);
    }

    [Fact]
    public void Open_writes_nothing_and_issuing_recreates_missing_folders()
    {
        using (_pki.Init()) { }
        Directory.Delete(_pki.Layout.IssuedDirectory);
        using var ca = CertificateAuthority.Open(_pki.Root);
        Assert.False(Directory.Exists(_pki.Layout.IssuedDirectory));

        ca.IssueClients(new ClientBatchRequest { Count = 1 });
        Assert.True(File.Exists(_pki.Layout.CertificatePath("device-000001")));
    }

    [Fact]
    public void Open_reads_back_the_ca()
    {
        string thumbprint;
        using (var created = _pki.Init()) thumbprint = created.Certificate.Thumbprint;
        using var opened = CertificateAuthority.Open(_pki.Root);
        Assert.Equal(thumbprint, opened.Certificate.Thumbprint);
    }
}
