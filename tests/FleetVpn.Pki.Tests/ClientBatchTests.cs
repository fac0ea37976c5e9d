using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;

namespace FleetVpn.Pki.Tests;

public sealed class ClientBatchTests : IDisposable
{
    private readonly TempPki _pki = new();

    public void Dispose() => _pki.Dispose();

    [Fact]
    public void Clients_are_named_prefix_and_six_digits_in_issued_and_private()
    {
        using var ca = _pki.Init();
        var result = ca.IssueClients(new ClientBatchRequest { Count = 12 });

        Assert.Equal(1, result.FirstNumber);
        Assert.Equal(12, result.LastNumber);
        Assert.Equal("device-000001", result.FirstName);
        Assert.Equal("device-000012", result.LastName);
        var expected = Enumerable.Range(1, 12).Select(n => $"device-{n:D6}").ToArray();
        Assert.Equal(expected.Select(n => n + ".crt"), FileNames(_pki.Layout.IssuedDirectory));
        Assert.Equal(expected.Select(n => n + ".key").Append("ca.key").Order(StringComparer.Ordinal), FileNames(_pki.Layout.PrivateDirectory));
    }

    [Fact]
    public void Every_client_chains_to_the_ca_for_client_auth_and_its_key_matches()
    {
        using var ca = _pki.Init();
        ca.IssueClients(new ClientBatchRequest { Count = 20 });
        var serials = new HashSet<string>();
        for (var n = 1; n <= 20; n++)
        {
            var name = $"device-{n:D6}";
            var certPath = _pki.Layout.CertificatePath(name);
            using var certificate = CertificateChecks.Load(certPath);
            Assert.Equal($"CN={name}", certificate.Subject);
            Assert.Equal([CertificateProfiles.ClientAuthOid], CertificateChecks.ExtendedKeyUsages(certificate));
            Assert.Equal(X509KeyUsageFlags.DigitalSignature, CertificateChecks.Extension<X509KeyUsageExtension>(certificate).KeyUsages);
            Assert.True(CertificateChecks.Extension<X509KeyUsageExtension>(certificate).Critical);
            var basic = CertificateChecks.Extension<X509BasicConstraintsExtension>(certificate);
            Assert.False(basic.CertificateAuthority);
            Assert.True(basic.Critical);
            Assert.Empty(certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>());
            ServerCertificateTests.AssertKeyIdentifiers(certificate, ca.Certificate);
            Assert.Equal(16, certificate.SerialNumberBytes.Length);
            Assert.True(serials.Add(certificate.SerialNumber), "serial numbers are unique");
            using var key = certificate.GetECDsaPublicKey();
            Assert.Equal(256, key!.KeySize);

            CertificateChecks.AssertChainsTo(certificate, ca.Certificate, CertificateProfiles.ClientAuthOid);
            CertificateChecks.AssertKeyMatches(certPath, _pki.Layout.KeyPath(name));
        }
    }

    [Fact]
    public void Client_certificates_do_not_chain_for_server_auth()
    {
        using var ca = _pki.Init();
        ca.IssueClients(new ClientBatchRequest { Count = 1 });
        using var certificate = CertificateChecks.Load(_pki.Layout.CertificatePath("device-000001"));
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca.Certificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid(CertificateProfiles.ServerAuthOid));
        Assert.False(chain.Build(certificate));
    }

    [Fact]
    public void Rsa_clients_have_2048_bit_keys_with_key_encipherment()
    {
        using var ca = _pki.Init();
        ca.IssueClients(new ClientBatchRequest { Count = 2, KeyType = PkiKeyType.Rsa2048 });
        using var certificate = CertificateChecks.Load(_pki.Layout.CertificatePath("device-000002"));
        using var key = certificate.GetRSAPublicKey();
        Assert.Equal(2048, key!.KeySize);
        Assert.Equal(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment,
            CertificateChecks.Extension<X509KeyUsageExtension>(certificate).KeyUsages);
        CertificateChecks.AssertChainsTo(certificate, ca.Certificate, CertificateProfiles.ClientAuthOid);
        CertificateChecks.AssertKeyMatches(_pki.Layout.CertificatePath("device-000002"), _pki.Layout.KeyPath("device-000002"));
    }

    [Fact]
    public void A_second_run_continues_numbering_and_overwrites_nothing()
    {
        using var ca = _pki.Init();
        ca.IssueClients(new ClientBatchRequest { Count = 3 });
        var firstRun = Enumerable.Range(1, 3).ToDictionary(n => n, n => File.ReadAllText(_pki.Layout.CertificatePath($"device-{n:D6}")));

        var second = ca.IssueClients(new ClientBatchRequest { Count = 4 });

        Assert.Equal(4, second.FirstNumber);
        Assert.Equal(7, second.LastNumber);
        Assert.Equal(7, Directory.EnumerateFiles(_pki.Layout.IssuedDirectory).Count());
        foreach (var (n, text) in firstRun)
            Assert.Equal(text, File.ReadAllText(_pki.Layout.CertificatePath($"device-{n:D6}")));
    }

    [Fact]
    public void Numbering_continues_after_the_highest_number_even_with_gaps_keys_alone_and_other_names()
    {
        using var ca = _pki.Init();
        ca.IssueServer("device-server");
        ca.IssueClients(new ClientBatchRequest { Count = 2 });
        File.Delete(_pki.Layout.CertificatePath("device-000001"));
        // A key whose certificate was never written (an interrupted run) still takes its number.
        File.WriteAllText(_pki.Layout.KeyPath("device-000041"), "interrupted");
        File.WriteAllText(Path.Combine(_pki.Layout.IssuedDirectory, "device-99.crt"), "too few digits: not a client number");

        var result = ca.IssueClients(new ClientBatchRequest { Count = 1 });

        Assert.Equal("device-000042", result.FirstName);
        Assert.Equal("interrupted", File.ReadAllText(_pki.Layout.KeyPath("device-000041")));
    }

    [Fact]
    public void Prefixes_number_separately()
    {
        using var ca = _pki.Init();
        ca.IssueClients(new ClientBatchRequest { Count = 3 });
        var sensors = ca.IssueClients(new ClientBatchRequest { Count = 2, Prefix = "sensor-" });
        var bare = ca.IssueClients(new ClientBatchRequest { Count = 1, Prefix = "" });

        Assert.Equal("sensor-000001", sensors.FirstName);
        Assert.Equal("sensor-000002", sensors.LastName);
        Assert.Equal("000001", bare.FirstName);
        Assert.True(File.Exists(_pki.Layout.CertificatePath("sensor-000002")));
    }

    [Fact]
    public void Progress_reaches_the_count_from_all_workers()
    {
        using var ca = _pki.Init();
        var reports = new ConcurrentBag<int>();
        var result = ca.IssueClients(new ClientBatchRequest { Count = 100, MaxDegreeOfParallelism = 4 }, reports.Add);
        Assert.Equal(100, result.Count);
        Assert.Equal(100, reports.Max());
        Assert.True(reports.Count > 1, "progress comes in several batches");
        Assert.Equal(100, Directory.EnumerateFiles(_pki.Layout.IssuedDirectory).Count());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void Refuses_a_count_below_one(int count)
    {
        using var ca = _pki.Init();
        Assert.Throws<PkiException>(() => ca.IssueClients(new ClientBatchRequest { Count = count }));
        Assert.Empty(Directory.EnumerateFiles(_pki.Layout.IssuedDirectory));
    }

    [Theory]
    [InlineData("bad/prefix")]
    [InlineData(".x")]
    [InlineData("with space-")]
    public void Refuses_a_bad_prefix(string prefix)
    {
        using var ca = _pki.Init();
        Assert.Throws<PkiException>(() => ca.IssueClients(new ClientBatchRequest { Count = 1, Prefix = prefix }));
        Assert.Empty(Directory.EnumerateFiles(_pki.Layout.IssuedDirectory));
    }

    [Fact]
    public void Refuses_days_beyond_the_ca_before_writing_anything()
    {
        using var ca = CertificateAuthority.Create(_pki.Root, days: 10);
        var error = Assert.Throws<PkiException>(() => ca.IssueClients(new ClientBatchRequest { Count = 3, Days = 825 }));
        Assert.Contains("--days", error.Message);
        Assert.Empty(Directory.EnumerateFiles(_pki.Layout.IssuedDirectory));
    }

    [Fact]
    public void Clients_are_valid_for_the_days_asked()
    {
        var now = DateTimeOffset.UtcNow;
        using var ca = _pki.Init();
        ca.IssueClients(new ClientBatchRequest { Count = 1, Days = 30, Now = now });
        using var certificate = CertificateChecks.Load(_pki.Layout.CertificatePath("device-000001"));
        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime());
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
        Assert.InRange(notBefore, now - CertificateAuthority.Backdate - TimeSpan.FromSeconds(1), now);
        Assert.InRange(notAfter, now.AddDays(30).AddSeconds(-1), now.AddDays(30).AddSeconds(1));
    }

    private static string[] FileNames(string directory) =>
        Directory.EnumerateFiles(directory).Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal).ToArray();
}
