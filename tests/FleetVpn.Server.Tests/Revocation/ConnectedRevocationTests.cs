using FleetVpn.ControlChannel.Revocation;

namespace FleetVpn.Server.Tests.Revocation;

/// <summary>What a reload checks connected clients with: the 12-byte identity a session keeps instead of its certificate.</summary>
public sealed class ConnectedRevocationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("fleetvpn-crl-dir-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_crl_file_revokes_the_identity_of_a_certificate_it_lists_and_no_other()
    {
        using var ca = TestCrls.FixtureCa();
        using var client = TestCrls.FixtureClient();
        using var server = TestCrls.FixtureServer();
        var check = new CrlFileRevocation("crl.pem", [RevocationList.Decode(TestCrls.Build(ca, [client]))]);

        Assert.True(check.RevokesConnected(CertificateIdentity.Of(client)));
        Assert.False(check.RevokesConnected(CertificateIdentity.Of(server)));
    }

    [Fact]
    public void The_same_serial_from_another_issuer_is_not_revoked_by_a_crl_file()
    {
        using var ca = TestCrls.NewCa("Reload CA one", ec: true);
        using var otherCa = TestCrls.NewCa("Reload CA two", ec: true);
        using var client = TestCrls.Issue(ca, "client-a");
        var check = new CrlFileRevocation("crl.pem", [RevocationList.Decode(TestCrls.Build(ca, [client]))]);

        var sameSerialOtherIssuer = CertificateIdentity.Of(client) with { IssuerHash = CertificateIdentity.HashIssuer(otherCa.SubjectName) };

        Assert.True(check.RevokesConnected(CertificateIdentity.Of(client)));
        Assert.False(check.RevokesConnected(sameSerialOtherIssuer));
    }

    [Fact]
    public void A_crl_directory_revokes_by_decimal_serial_as_it_was_when_first_asked()
    {
        using var client = TestCrls.FixtureClient();
        using var server = TestCrls.FixtureServer();
        File.WriteAllText(Path.Combine(_directory, RevocationList.DecimalSerial(client.SerialNumberBytes.Span)), "");
        File.WriteAllText(Path.Combine(_directory, "README"), "not a serial");
        var check = new CrlDirectoryRevocation(_directory);

        Assert.True(check.RevokesConnected(CertificateIdentity.Of(client)));
        Assert.False(check.RevokesConnected(CertificateIdentity.Of(server)));
    }

    [Fact]
    public void An_identity_is_the_same_for_the_same_certificate_and_never_empty()
    {
        using var client = TestCrls.FixtureClient();
        using var again = TestCrls.FixtureClient();

        Assert.Equal(CertificateIdentity.Of(client), CertificateIdentity.Of(again));
        Assert.False(CertificateIdentity.Of(client).IsEmpty);
        Assert.True(default(CertificateIdentity).IsEmpty);
    }
}
