using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using static FleetVpn.Server.Tests.Config.ConfigTestFiles;

namespace FleetVpn.Server.Tests.Config;

public sealed class TlsPolicyConfigTests : IDisposable
{
    private readonly TemporaryDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void By_default_tls_1_2_and_1_3_with_the_library_suites_are_offered()
    {
        var options = Parse(Minimal);

        Assert.Equal(SslProtocols.Tls12 | SslProtocols.Tls13, options.TlsProtocols);
        Assert.Null(options.TlsCipherSuites);
        Assert.Empty(options.Warnings);
    }

    [Theory]
    [InlineData("1.3", SslProtocols.Tls13)]
    [InlineData("1.3 or-highest", SslProtocols.Tls13)]
    [InlineData("1.2", SslProtocols.Tls12 | SslProtocols.Tls13)]
    [InlineData("1.0", SslProtocols.Tls12 | SslProtocols.Tls13)]
    [InlineData("1.4 or-highest", SslProtocols.Tls13)]
    public void Tls_version_min_sets_the_versions_offered(string arguments, SslProtocols expected) =>
        Assert.Equal(expected, Parse(Minimal + $"tls-version-min {arguments}\n").TlsProtocols);

    [Fact]
    public void An_unknown_tls_version_or_flag_is_refused()
    {
        AssertRefusedAt(Minimal + "tls-version-min 1.4\n", 5, "tls-version-min 1.4",
            "unknown TLS version '1.4' (1.0, 1.1, 1.2 or 1.3; add 'or-highest' to fall back to the highest)");
        AssertRefusedAt(Minimal + "tls-version-min 1.2 or-lowest\n", 5, "tls-version-min 1.2 or-lowest",
            "'or-lowest' is not a flag of tls-version-min (only 'or-highest')");
    }

    [Fact]
    public void Tls_cipher_takes_openssl_and_openvpn_iana_names_and_keeps_the_tls13_defaults()
    {
        var suites = Parse(Minimal + "tls-cipher ECDHE-RSA-AES256-GCM-SHA384:TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256\n").TlsCipherSuites;

        Assert.Equal(
        [
            TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            TlsCipherSuite.TLS_AES_256_GCM_SHA384, TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256, TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        ], suites);
    }

    [Fact]
    public void Tls_ciphersuites_sets_the_tls13_suites_after_the_tls12_defaults()
    {
        var suites = Parse(Minimal + "tls-ciphersuites TLS_CHACHA20_POLY1305_SHA256\n").TlsCipherSuites!;

        Assert.Equal(TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256, suites[^1]);
        Assert.DoesNotContain(TlsCipherSuite.TLS_AES_256_GCM_SHA384, suites);
        Assert.Contains(TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, suites);
    }

    [Fact]
    public void Unknown_cipher_names_are_refused_with_file_line_and_directive()
    {
        var error = Refuse(Minimal + "tls-cipher ECDHE-RSA-AES256-GCM-SHA384:NOPE-CIPHER\n");
        Assert.Equal(("server.conf", 5, "tls-cipher ECDHE-RSA-AES256-GCM-SHA384:NOPE-CIPHER"), (error.File, error.Line, error.Directive));
        Assert.StartsWith("unknown or unsupported TLS 1.2 cipher suite 'NOPE-CIPHER'", error.Reason);

        Assert.StartsWith("unknown TLS 1.3 cipher suite 'TLS_AES_512_GCM'", Refuse(Minimal + "tls-ciphersuites TLS_AES_512_GCM\n").Reason);
        // A suite of the other version is refused too: each directive takes its own version's suites.
        Assert.StartsWith("unknown or unsupported TLS 1.2 cipher suite 'TLS_AES_256_GCM_SHA384'", Refuse(Minimal + "tls-cipher TLS_AES_256_GCM_SHA384\n").Reason);
        Assert.StartsWith("unknown TLS 1.3 cipher suite 'ECDHE-RSA-AES256-GCM-SHA384'", Refuse(Minimal + "tls-ciphersuites ECDHE-RSA-AES256-GCM-SHA384\n").Reason);
        Assert.StartsWith("unknown or unsupported TLS 1.2 cipher suite 'DHE-RSA-AES256-GCM-SHA384'", Refuse(Minimal + "tls-cipher DHE-RSA-AES256-GCM-SHA384\n").Reason);
        // The IANA spelling reaches only the suites of the OpenSSL table: no NULL encryption through the back door.
        Assert.StartsWith("unknown or unsupported TLS 1.2 cipher suite 'TLS-ECDHE-RSA-WITH-NULL-SHA'", Refuse(Minimal + "tls-cipher TLS-ECDHE-RSA-WITH-NULL-SHA\n").Reason);
    }

    [Fact]
    public void Openssl_cipher_string_keywords_are_refused() =>
        Assert.Equal("OpenSSL cipher-string keyword '!aNULL' is not supported: list the cipher suites by name",
            Refuse(Minimal + "tls-cipher ECDHE-RSA-AES256-GCM-SHA384:!aNULL\n").Reason);

    [Fact]
    public void Tls_groups_is_accepted_only_as_the_groups_offered_anyway()
    {
        Parse(Minimal + "tls-groups secp384r1:X25519:prime256v1:X448:secp521r1\n");

        var error = Refuse(Minimal + "tls-groups secp256r1\n");
        Assert.Equal((5, "tls-groups secp256r1"), (error.Line, error.Directive));
        Assert.StartsWith("not supported: this set of groups. .NET 10's SslStream has no API to choose TLS key-exchange groups", error.Reason);
        Assert.StartsWith("not supported: group 'brainpoolP256r1'", Refuse(Minimal + "tls-groups brainpoolP256r1\n").Reason);
    }

    [Fact]
    public void Ecdh_curve_is_ignored_with_a_warning_as_openvpn_with_openssl_3_does()
    {
        var warning = Assert.Single(Parse(Minimal + "ecdh-curve secp384r1\n").Warnings);

        Assert.StartsWith("server.conf:5: 'ecdh-curve secp384r1': ignored", warning);
    }

    [Fact]
    public void A_weak_rsa_server_key_is_refused_at_start_up()
    {
        using var rsa = RSA.Create(1024);
        using var certificate = new CertificateRequest("CN=weak", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var cert = _temp.File("weak.crt", certificate.ExportCertificatePem());
        var key = _temp.File("weak.key", rsa.ExportPkcs8PrivateKeyPem());

        AssertRefusedAt(Minimal + $"cert {cert}\nkey {key}\n", 5, $"cert {cert}",
            "the server certificate's RSA key has 1024 bits; at least 2048 are required");
    }

    [Fact]
    public void A_weak_ec_server_key_is_refused_at_start_up()
    {
        using var ec = ECDsa.Create(ECCurve.CreateFromFriendlyName("secp224r1"));
        using var certificate = new CertificateRequest("CN=weak-ec", ec, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var cert = _temp.File("weak-ec.crt", certificate.ExportCertificatePem());
        var key = _temp.File("weak-ec.key", ec.ExportPkcs8PrivateKeyPem());

        Assert.Equal("the server certificate's EC key has 224 bits; at least 256 (P-256) are required",
            Refuse(Minimal + $"cert {cert}\nkey {key}\n").Reason);
    }
}
