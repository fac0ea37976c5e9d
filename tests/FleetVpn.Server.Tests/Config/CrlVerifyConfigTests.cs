using FleetVpn.ControlChannel.Revocation;
using FleetVpn.Server.Tests.Revocation;
using static FleetVpn.Server.Tests.Config.ConfigTestFiles;

namespace FleetVpn.Server.Tests.Config;

public sealed class CrlVerifyConfigTests : IDisposable
{
    private readonly TemporaryDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Without_crl_verify_there_is_no_revocation_check() => Assert.Null(Parse(Minimal).Revocation);

    [Fact]
    public void A_crl_file_signed_by_the_ca_is_loaded_and_revokes_its_serials()
    {
        using var ca = TestCrls.FixtureCa();
        using var client = TestCrls.FixtureClient();
        using var server = TestCrls.FixtureServer();
        var path = _temp.File("crl.pem", TestCrls.Pem(TestCrls.Build(ca, [client])));

        var check = Assert.IsType<CrlFileRevocation>(Parse(Minimal + $"crl-verify {path}\n").Revocation);

        Assert.Contains("revoked by CRL", check.Check([client], DateTime.UtcNow));
        Assert.Null(check.Check([server], DateTime.UtcNow));
    }

    [Fact]
    public void Several_concatenated_crls_are_all_loaded()
    {
        using var ca = TestCrls.FixtureCa();
        using var client = TestCrls.FixtureClient();
        var path = _temp.File("crls.pem", TestCrls.Pem(TestCrls.Build(ca, [])) + "some text between\n" + TestCrls.Pem(TestCrls.Build(ca, [client])));

        var check = Assert.IsType<CrlFileRevocation>(Parse(Minimal + $"crl-verify {path}\n").Revocation);

        Assert.Equal(2, check.Lists.Count);
    }

    [Fact]
    public void An_inline_crl_verify_block_is_read_like_the_file()
    {
        using var ca = TestCrls.FixtureCa();
        using var client = TestCrls.FixtureClient();

        var check = Assert.IsType<CrlFileRevocation>(Parse(Minimal + "<crl-verify>\n" + TestCrls.Pem(TestCrls.Build(ca, [client])) + "</crl-verify>\n").Revocation);

        Assert.Equal("<crl-verify> at server.conf:5", check.Source);
        Assert.Contains("revoked by CRL <crl-verify> at server.conf:5", check.Check([client], DateTime.UtcNow));
    }

    [Fact]
    public void Crl_verify_may_come_before_ca()
    {
        using var ca = TestCrls.FixtureCa();
        var path = _temp.File("crl.pem", TestCrls.Pem(TestCrls.Build(ca, [])));

        Assert.NotNull(Parse($"crl-verify {path}\n" + Minimal).Revocation);
    }

    [Fact]
    public void A_crl_from_another_ca_is_refused_at_start_up()
    {
        using var other = TestCrls.NewCa("Some Other CA", ec: false);
        var path = _temp.File("crl.pem", TestCrls.Pem(TestCrls.Build(other, [])));

        AssertRefusedAt(Minimal + $"crl-verify {path}\n", 5, $"crl-verify {path}",
            $"CRL 1 in {path} (issuer 'CN=Some Other CA') is not signed by a certificate of 'ca': a CRL must come from the CA that issued the clients' certificates");
    }

    [Fact]
    public void A_crl_whose_signature_does_not_hold_is_refused()
    {
        using var ca = TestCrls.FixtureCa();
        using var client = TestCrls.FixtureClient();
        var der = TestCrls.Build(ca, [client]);
        der[der.AsSpan().IndexOf(client.SerialNumberBytes.Span)] ^= 1;
        var path = _temp.File("crl.pem", TestCrls.Pem(der));

        Assert.Contains("is not signed by a certificate of 'ca'", Refuse(Minimal + $"crl-verify {path}\n").Reason);
    }

    [Fact]
    public void A_crl_that_cannot_be_parsed_is_refused_with_file_line_and_directive()
    {
        using var ca = TestCrls.FixtureCa();
        var path = _temp.File("crl.pem", TestCrls.Pem(TestCrls.Build(ca, [])) + "-----BEGIN X509 CRL-----\nMAMCAQE=\n-----END X509 CRL-----\n");

        var error = Refuse(Minimal + $"crl-verify {path}\n");

        Assert.Equal(("server.conf", 5, $"crl-verify {path}"), (error.File, error.Line, error.Directive));
        Assert.StartsWith("CRL 2 in the file cannot be read: not a valid X.509 CRL", error.Reason);
    }

    [Fact]
    public void A_damaged_pem_block_is_refused_rather_than_skipped()
    {
        using var ca = TestCrls.FixtureCa();
        var path = _temp.File("crl.pem", TestCrls.Pem(TestCrls.Build(ca, [])) + "-----BEGIN X509 CRL-----\n%%%not base64\n-----END X509 CRL-----\n");

        Assert.Equal("1 of the 2 CRL blocks in the file are not valid PEM (damaged base64 or a missing END line)",
            Refuse(Minimal + $"crl-verify {path}\n").Reason);
    }

    [Fact]
    public void A_file_without_a_crl_or_a_missing_file_is_refused()
    {
        Assert.Equal("contains no PEM CRL (-----BEGIN X509 CRL-----)", Refuse(Minimal + "crl-verify ca.crt\n").Reason);
        Assert.StartsWith("cannot read ", Refuse(Minimal + "crl-verify no-such-crl.pem\n").Reason);
    }

    [Fact]
    public void The_directory_form_takes_an_existing_directory()
    {
        var check = Assert.IsType<CrlDirectoryRevocation>(Parse(Minimal + $"crl-verify {_temp.Path} dir\n").Revocation);
        Assert.Equal(_temp.Path, check.Directory);

        Assert.StartsWith("cannot use ", Refuse(Minimal + $"crl-verify {_temp.Path}/missing dir\n").Reason);
        AssertRefusedAt(Minimal + $"crl-verify {_temp.Path} directory\n", 5, $"crl-verify {_temp.Path} directory",
            "'directory' is not a flag of crl-verify (only 'dir')");
    }
}
