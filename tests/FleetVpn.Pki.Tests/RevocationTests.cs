using System.Numerics;
using System.Security.Cryptography.X509Certificates;
using FleetVpn.ControlChannel.Revocation;

namespace FleetVpn.Pki.Tests;

public sealed class RevocationTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 8, 0, 0, TimeSpan.Zero);
    private readonly TempPki _pki = new();

    public void Dispose() => _pki.Dispose();

    [Fact]
    public void Revoking_by_name_records_the_serial_and_moves_the_files_so_the_name_can_be_issued_again()
    {
        using var ca = _pki.Init();
        var issued = ca.IssueServer("gateway-7");
        using var certificate = CertificateChecks.Load(issued.CertificatePath);

        var revoked = ca.Revoke("gateway-7", null, Now);

        Assert.Equal(certificate.SerialNumber, revoked.SerialHex);
        Assert.Equal(new BigInteger(certificate.SerialNumberBytes.Span, isBigEndian: true).ToString(), revoked.SerialDecimal);
        Assert.Equal($"{revoked.SerialHex}\t2026-11-29T08:00:00Z\tgateway-7\n", File.ReadAllText(_pki.Layout.RevokedIndexPath));
        Assert.False(File.Exists(issued.CertificatePath));
        Assert.False(File.Exists(issued.KeyPath));
        Assert.True(File.Exists(Path.Combine(_pki.Root, "revoked", revoked.SerialHex + ".crt")));
        Assert.True(File.Exists(Path.Combine(_pki.Root, "private", $"revoked-{revoked.SerialHex}.key")));
        ca.IssueServer("gateway-7"); // the name is free again
    }

    [Fact]
    public void Refusals_name_what_is_wrong()
    {
        using var ca = _pki.Init();
        ca.IssueServer("gw");
        ca.Revoke("gw", null, Now);

        Assert.Contains("has no certificate 'nobody' to revoke", Assert.Throws<PkiException>(() => ca.Revoke("nobody", null, Now)).Message);
        Assert.Contains("one of them", Assert.Throws<PkiException>(() => ca.Revoke("gw", "01", Now)).Message);
        Assert.Contains("one of them", Assert.Throws<PkiException>(() => ca.Revoke(null, null, Now)).Message);
        Assert.Contains("is not a serial number", Assert.Throws<PkiException>(() => ca.Revoke(null, "xyz", Now)).Message);
        ca.Revoke(null, "0x0A:BC", Now);
        Assert.Contains("serial 0ABC is already revoked", Assert.Throws<PkiException>(() => ca.Revoke(null, "abc", Now)).Message);
    }

    [Theory]
    [InlineData(PkiKeyType.EcdsaP256)]
    [InlineData(PkiKeyType.Rsa2048)]
    public void The_crl_lists_every_revoked_serial_and_is_signed_by_the_ca(PkiKeyType keyType)
    {
        using var ca = _pki.Init(keyType);
        var clients = ca.IssueClients(new ClientBatchRequest { Count = 3 });
        string Name(int i) => PkiNames.ClientName(clients.Prefix, clients.FirstNumber + i);
        using var first = CertificateChecks.Load(ca.Layout.CertificatePath(Name(0)));
        using var second = CertificateChecks.Load(ca.Layout.CertificatePath(Name(1)));
        using var kept = CertificateChecks.Load(ca.Layout.CertificatePath(Name(2)));
        ca.Revoke(Name(0), null, Now);
        ca.Revoke(null, second.SerialNumber, Now);

        var result = ca.WriteCrl(days: 30, now: Now);

        Assert.Equal(_pki.Layout.CrlPath, result.Path);
        Assert.Equal(2, result.RevokedCount);
        var list = Decode(result.Path);
        Assert.True(list.IsSignedBy(ca.Certificate));
        Assert.True(list.Revokes(first.SerialNumberBytes.Span));
        Assert.True(list.Revokes(second.SerialNumberBytes.Span));
        Assert.False(list.Revokes(kept.SerialNumberBytes.Span));
        Assert.Equal(Now.AddDays(30).UtcDateTime, list.NextUpdate);
        Assert.Equal((Now - CertificateAuthority.Backdate).UtcDateTime, list.ThisUpdate);
    }

    [Fact]
    public void Crl_numbers_go_up_and_a_crl_without_revocations_is_valid()
    {
        using var ca = _pki.Init();
        var output = Path.Combine(_pki.Parent, "out.pem");

        var first = ca.WriteCrl(output, now: Now);
        var second = ca.WriteCrl(output, now: Now);

        Assert.Equal((BigInteger.One, new BigInteger(2)), (first.Number, second.Number));
        CertificateRevocationListBuilder.LoadPem(File.ReadAllText(output), out var number);
        Assert.Equal(new BigInteger(2), number);
        Assert.Equal(0, Decode(output).RevokedCount);
        Assert.True(Decode(output).IsSignedBy(ca.Certificate));
        Assert.Equal(Now.AddDays(CertificateAuthority.DefaultCrlDays).UtcDateTime, Decode(output).NextUpdate);
    }

    [Fact]
    public void A_damaged_revocation_index_is_refused_with_its_line()
    {
        using var ca = _pki.Init();
        File.WriteAllText(_pki.Layout.RevokedIndexPath, "0A\t2026-01-01T00:00:00Z\t-\nnonsense\n");

        Assert.Equal($"{_pki.Layout.RevokedIndexPath}:2: not 'SERIAL<tab>yyyy-MM-ddTHH:mm:ssZ<tab>NAME'",
            Assert.Throws<PkiException>(() => ca.WriteCrl(now: Now)).Message);
    }

    private static RevocationList Decode(string pemPath)
    {
        var pem = File.ReadAllText(pemPath);
        Assert.StartsWith("-----BEGIN X509 CRL-----", pem);
        return RevocationList.Decode(DerOf(pem));
    }

    private static byte[] DerOf(string pem)
    {
        var fields = System.Security.Cryptography.PemEncoding.Find(pem);
        return Convert.FromBase64String(pem[fields.Base64Data]);
    }
}
