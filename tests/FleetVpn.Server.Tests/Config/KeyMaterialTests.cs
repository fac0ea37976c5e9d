using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FleetVpn.Server.Config;
using static FleetVpn.Server.Tests.Config.ConfigTestFiles;

namespace FleetVpn.Server.Tests.Config;

public sealed class KeyMaterialTests : IDisposable
{
    private readonly TemporaryDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void The_server_certificate_has_a_usable_private_key()
    {
        var certificate = Parse(Minimal).ServerCertificate!;

        Assert.True(certificate.HasPrivateKey);
        using var rsa = certificate.GetRSAPrivateKey()!;
        byte[] data = [1, 2, 3];
        var signature = rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
        Assert.True(rsa.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss));
    }

    [Fact]
    public void A_ca_file_may_hold_several_certificates()
    {
        var bundle = File.ReadAllText(Path.Combine(KeysDirectory, "ca.crt")) + "\n" + File.ReadAllText(Path.Combine(KeysDirectory, "client.crt"));
        var path = _temp.File("bundle.crt", bundle);

        var options = Parse(Minimal + $"ca {path}\n");

        Assert.Equal(2, options.CaCertificates.Count);
    }

    [Fact]
    public void Certificates_after_the_first_in_the_cert_file_are_its_chain()
    {
        var chained = File.ReadAllText(Path.Combine(KeysDirectory, "server.crt")) + File.ReadAllText(Path.Combine(KeysDirectory, "ca.crt"));
        var path = _temp.File("chained.crt", chained);

        var options = Parse(Minimal + $"cert {path}\n");

        Assert.Equal("CN=test-server", options.ServerCertificate!.Subject);
        Assert.Single(options.ServerCertificateChain);
    }

    [Theory]
    [InlineData("rsa-pkcs1")]
    [InlineData("rsa-pkcs8")]
    [InlineData("ec-sec1")]
    [InlineData("ec-pkcs8")]
    public void Unencrypted_rsa_and_ec_keys_load(string kind)
    {
        var (certPem, keyPem) = SelfSigned(kind);
        var cert = _temp.File($"{kind}.crt", certPem);
        var key = _temp.File($"{kind}.key", keyPem);

        var certificate = Parse(Minimal + $"cert {cert}\nkey {key}\n").ServerCertificate!;

        Assert.True(certificate.HasPrivateKey);
        Assert.Equal($"CN={kind}", certificate.Subject);
    }

    [Fact]
    public void A_missing_key_file_is_refused_with_the_os_reason()
    {
        var error = Refuse(Minimal + "key missing.key\n");

        Assert.Equal(5, error.Line);
        Assert.Equal("key missing.key", error.Directive);
        Assert.Equal($"server.conf:5: 'key missing.key': cannot read {Path.Combine(KeysDirectory, "missing.key")}: No such file or directory", error.Message);
    }

    [Fact]
    public void A_directory_is_not_a_readable_ca_file() =>
        Assert.Contains("Is a directory", Refuse(Minimal + $"ca {_temp.Path}\n").Reason);

    [Fact]
    public void A_key_that_does_not_belong_to_the_certificate_is_refused_at_the_later_directive()
    {
        var error = Refuse("ca ca.crt\ncert server.crt\nkey client.key\nserver 10.8.0.0 255.255.255.0\n");

        Assert.Equal(3, error.Line);
        Assert.Equal("key client.key", error.Directive);
        Assert.Equal("private key does not match the certificate of 'cert server.crt' (server.conf:2)", error.Reason);
    }

    [Fact]
    public void A_certificate_that_does_not_belong_to_the_key_is_refused_at_the_later_directive()
    {
        var error = Refuse("ca ca.crt\nkey server.key\ncert client.crt\nserver 10.8.0.0 255.255.255.0\n");

        Assert.Equal(3, error.Line);
        Assert.Contains("certificate does not match the private key of 'key server.key' (server.conf:2)", error.Reason);
    }

    [Fact]
    public void A_key_of_another_algorithm_does_not_match()
    {
        var (_, ecKey) = SelfSigned("ec-pkcs8");
        var error = Refuse(Minimal + $"key {_temp.File("ec.key", ecKey)}\n");
        Assert.Contains("does not match", error.Reason);
    }

    [Fact]
    public void A_key_file_without_a_private_key_is_refused() =>
        Assert.Contains("contains no PEM private key", Refuse(Minimal + "key server.crt\n").Reason);

    [Fact]
    public void An_encrypted_key_is_refused()
    {
        using var rsa = RSA.Create(2048);
        var encrypted = rsa.ExportEncryptedPkcs8PrivateKeyPem("secret", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1000));
        var error = Refuse(Minimal + $"key {_temp.File("enc.key", encrypted)}\n");
        Assert.Contains("encrypted private keys are not supported yet", error.Reason);
    }

    [Fact]
    public void A_cert_file_without_a_certificate_is_refused() =>
        Assert.Contains("contains no PEM certificate", Refuse(Minimal + "cert server.key\n").Reason);

    [Fact]
    public void A_corrupt_certificate_is_refused()
    {
        var path = _temp.File("bad.crt", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        Assert.Contains("cannot be read", Refuse(Minimal + $"ca {path}\n").Reason);
    }

    [Fact]
    public void A_dh_file_must_exist_but_dh_none_needs_none()
    {
        Assert.NotNull(Parse(Minimal + "dh none\n").ServerCertificate);
        Assert.NotNull(Parse(Minimal + "dh ca.crt\n").ServerCertificate);
        Assert.Contains("No such file or directory", Refuse(Minimal + "dh dh2048.pem\n").Reason);
    }

    /// <summary>A self-signed certificate and its key in the PEM form named by <paramref name="kind"/>.</summary>
    private static (string CertificatePem, string KeyPem) SelfSigned(string kind)
    {
        var name = new X500DistinguishedName($"CN={kind}");
        var notBefore = DateTimeOffset.UtcNow.AddDays(-1);
        var notAfter = DateTimeOffset.UtcNow.AddDays(1);
        if (kind.StartsWith("rsa", StringComparison.Ordinal))
        {
            using var rsa = RSA.Create(2048);
            using var cert = new CertificateRequest(name, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSelfSigned(notBefore, notAfter);
            return (cert.ExportCertificatePem(), kind == "rsa-pkcs1" ? rsa.ExportRSAPrivateKeyPem() : rsa.ExportPkcs8PrivateKeyPem());
        }
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ecCert = new CertificateRequest(name, ec, HashAlgorithmName.SHA256).CreateSelfSigned(notBefore, notAfter);
        return (ecCert.ExportCertificatePem(), kind == "ec-sec1" ? ec.ExportECPrivateKeyPem() : ec.ExportPkcs8PrivateKeyPem());
    }
}
