using System.Security.Cryptography.X509Certificates;
using FleetVpn.ControlChannel;
using FleetVpn.ControlChannel.Revocation;

namespace FleetVpn.Server.Tests.Revocation;

public sealed class RevocationListTests
{
    [Fact]
    public void A_crl_decodes_to_its_issuer_dates_and_serials()
    {
        using var ca = TestCrls.FixtureCa();
        using var client = TestCrls.FixtureClient();
        using var server = TestCrls.FixtureServer();
        var thisUpdate = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var nextUpdate = thisUpdate.AddDays(30);

        var list = RevocationList.Decode(TestCrls.Build(ca, [client], thisUpdate, nextUpdate));

        Assert.Equal(ca.SubjectName.Name, list.Issuer.Name);
        Assert.Equal(thisUpdate.UtcDateTime, list.ThisUpdate);
        Assert.Equal(nextUpdate.UtcDateTime, list.NextUpdate);
        Assert.Equal(1, list.RevokedCount);
        Assert.True(list.Revokes(client.SerialNumberBytes.Span));
        Assert.False(list.Revokes(server.SerialNumberBytes.Span));
        Assert.True(list.Covers(client));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_signature_verifies_with_the_issuing_ca_only(bool ec)
    {
        using var ca = TestCrls.NewCa("Signing CA", ec);
        using var other = TestCrls.NewCa("Signing CA", ec); // same name, other key
        var der = TestCrls.Build(ca, []);

        var list = RevocationList.Decode(der);

        Assert.True(list.IsSignedBy(ca));
        Assert.False(list.IsSignedBy(other));
    }

    [Fact]
    public void A_changed_byte_breaks_the_signature()
    {
        using var ca = TestCrls.FixtureCa();
        using var client = TestCrls.FixtureClient();
        var der = TestCrls.Build(ca, [client]);
        // The last byte of the revoked serial (inside the signed part): the CRL still decodes, the signature no longer holds.
        var serial = client.SerialNumberBytes.ToArray();
        var at = der.AsSpan().IndexOf(serial) + serial.Length - 1;
        Assert.True(at > 0);
        der[at] ^= 1;

        var list = RevocationList.Decode(der);

        Assert.False(list.IsSignedBy(ca));
        Assert.False(list.Revokes(client.SerialNumberBytes.Span));
    }

    [Fact]
    public void Bytes_that_are_no_crl_are_a_format_error()
    {
        var error = Assert.Throws<FormatException>(() => RevocationList.Decode([0x30, 0x03, 0x02, 0x01, 0x01]));
        Assert.StartsWith("not a valid X.509 CRL", error.Message);
    }

    [Fact]
    public void A_revoked_client_is_refused_with_its_cn_and_serial_and_others_pass()
    {
        using var ca = TestCrls.FixtureCa();
        using var client = TestCrls.FixtureClient();
        using var server = TestCrls.FixtureServer();
        var check = new CrlFileRevocation("crl.pem", [RevocationList.Decode(TestCrls.Build(ca, [client]))]);

        var reason = check.Check([client], DateTime.UtcNow);

        Assert.Equal("certificate CN=test-client, serial=474794237901525807562962957388730597350878788635 " +
                     "(0x532A828D23FA9012715D363E2581BAD476A8BC1B) revoked by CRL crl.pem", reason);
        Assert.Null(check.Check([server], DateTime.UtcNow));
    }

    [Fact]
    public void An_expired_crl_refuses_every_client_and_says_why()
    {
        using var ca = TestCrls.FixtureCa();
        using var server = TestCrls.FixtureServer();
        var now = DateTime.UtcNow;
        var check = new CrlFileRevocation("crl.pem", [RevocationList.Decode(TestCrls.Build(ca, [], now.AddDays(-10), now.AddDays(-1)))]);

        var reason = check.Check([server], now);

        Assert.NotNull(reason);
        Assert.Contains("expired at", reason);
        Assert.Contains("(nextUpdate)", reason);
        Assert.Contains("EXPIRED", check.Describe(now));
        Assert.Null(check.Check([server], now.AddDays(-2))); // before nextUpdate the same CRL passes it
    }

    [Fact]
    public void A_crl_not_yet_valid_refuses()
    {
        using var ca = TestCrls.FixtureCa();
        using var server = TestCrls.FixtureServer();
        var now = DateTime.UtcNow;
        var check = new CrlFileRevocation("crl.pem", [RevocationList.Decode(TestCrls.Build(ca, [], now.AddDays(1), now.AddDays(9)))]);

        Assert.Contains("not yet valid", check.Check([server], now));
    }

    [Fact]
    public void A_certificate_whose_issuer_has_no_crl_is_refused_as_openssl_does()
    {
        using var ca = TestCrls.FixtureCa();
        using var otherCa = TestCrls.NewCa("Other CA", ec: true);
        using var foreign = TestCrls.Issue(otherCa, "foreign");
        var check = new CrlFileRevocation("crl.pem", [RevocationList.Decode(TestCrls.Build(ca, []))]);

        Assert.Contains("no CRL from its issuer 'CN=Other CA'", check.Check([foreign], DateTime.UtcNow));
    }

    [Fact]
    public void The_newest_crl_of_an_issuer_is_the_one_that_counts()
    {
        using var ca = TestCrls.FixtureCa();
        using var client = TestCrls.FixtureClient();
        var now = DateTimeOffset.UtcNow;
        var older = RevocationList.Decode(TestCrls.Build(ca, [client], now.AddDays(-2), now.AddDays(5)));
        var newer = RevocationList.Decode(TestCrls.Build(ca, [], now.AddHours(-1), now.AddDays(5)));

        Assert.Null(new CrlFileRevocation("crl.pem", [older, newer]).Check([client], now.UtcDateTime));
        Assert.NotNull(new CrlFileRevocation("crl.pem", [older]).Check([client], now.UtcDateTime));
    }

    [Fact]
    public void The_directory_form_revokes_by_a_file_named_after_the_decimal_serial()
    {
        using var client = TestCrls.FixtureClient();
        using var server = TestCrls.FixtureServer();
        var directory = Directory.CreateTempSubdirectory("fleetvpn-crldir-").FullName;
        try
        {
            var check = new CrlDirectoryRevocation(directory);
            Assert.Null(check.Check([client], DateTime.UtcNow));

            File.WriteAllText(Path.Combine(directory, "474794237901525807562962957388730597350878788635"), "");

            Assert.Equal($"certificate CN=test-client, serial=474794237901525807562962957388730597350878788635 " +
                         $"(0x532A828D23FA9012715D363E2581BAD476A8BC1B) revoked by CRL directory {directory}", check.Check([client], DateTime.UtcNow));
            Assert.Null(check.Check([server], DateTime.UtcNow));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void The_client_policy_applies_its_revocation_check_and_a_reload_can_swap_it()
    {
        using var ca = TestCrls.FixtureCa();
        using var client = TestCrls.FixtureClient();
        var trust = new X509Certificate2Collection(X509CertificateLoader.LoadCertificate(ca.RawData));
        var policy = new ClientCertificatePolicy(trust, requireClientEku: false,
            new CrlFileRevocation("crl.pem", [RevocationList.Decode(TestCrls.Build(ca, [client]))]));

        Assert.Contains("revoked by CRL crl.pem", policy.Check(client, DateTime.UtcNow));

        policy.Revocation = new CrlFileRevocation("crl.pem", [RevocationList.Decode(TestCrls.Build(ca, []))]);
        Assert.Null(policy.Check(client, DateTime.UtcNow));
    }
}
