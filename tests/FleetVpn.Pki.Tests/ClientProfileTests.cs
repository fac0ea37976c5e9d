using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using FleetVpn.Protocol.Wrapping;

namespace FleetVpn.Pki.Tests;

public sealed class ClientProfileTests : IDisposable
{
    private readonly TempPki _pki = new();

    public void Dispose() => _pki.Dispose();

    [Fact]
    public void Profile_has_the_client_directives_and_inline_ca_cert_key()
    {
        using var ca = _pki.Init();
        ca.IssueClients(new ClientBatchRequest { Count = 1 });
        var text = ClientProfile.Render(ca, "device-000001", new RemoteEndpoint("vpn.example.com", 1194));

        var directives = text.Split('\n').TakeWhile(l => !l.StartsWith('<')).Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();
        Assert.Equal(["client", "dev tun", "proto udp", "remote vpn.example.com 1194", "nobind", "remote-cert-tls server", "verb 3"], directives);
        Assert.Equal(File.ReadAllText(_pki.Layout.CaCertificatePath), Inline(text, "ca"));
        Assert.Equal(File.ReadAllText(_pki.Layout.CertificatePath("device-000001")), Inline(text, "cert"));
        Assert.Equal(File.ReadAllText(_pki.Layout.KeyPath("device-000001")), Inline(text, "key"));
        Assert.DoesNotContain("<tls-crypt>", text);
        Assert.EndsWith("</key>\n", text);
        Assert.DoesNotContain("\r", text);

        using var certificate = X509Certificate2.CreateFromPem(Inline(text, "cert"), Inline(text, "key"));
        CertificateChecks.AssertChainsTo(certificate, X509Certificate2.CreateFromPem(Inline(text, "ca")), CertificateProfiles.ClientAuthOid);
    }

    [Fact]
    public void Profile_carries_the_tls_crypt_key_inline()
    {
        using var ca = _pki.Init();
        ca.IssueClients(new ClientBatchRequest { Count = 1 });
        var keyPath = Path.Combine(_pki.Parent, "tc.key");
        StaticKeyFile.WriteNew(keyPath);

        var text = ClientProfile.Render(ca, "device-000001", new RemoteEndpoint("10.77.0.1", 1194), keyPath);

        var block = Inline(text, "tls-crypt");
        Assert.Equal(StaticKey.Parse(File.ReadAllText(keyPath)).Bytes.ToArray(), StaticKey.Parse(block).Bytes.ToArray());
        Assert.EndsWith("</tls-crypt>\n", text);
    }

    [Fact]
    public void Refuses_an_unknown_client()
    {
        using var ca = _pki.Init();
        var error = Assert.Throws<PkiException>(() => ClientProfile.Render(ca, "device-000009", new RemoteEndpoint("h", 1)));
        Assert.Contains("no certificate for 'device-000009'", error.Message);
    }

    [Fact]
    public void Refuses_a_server_certificate()
    {
        using var ca = _pki.Init();
        ca.IssueServer("server");
        var error = Assert.Throws<PkiException>(() => ClientProfile.Render(ca, "server", new RemoteEndpoint("h", 1)));
        Assert.Contains("not a client certificate", error.Message);
    }

    [Fact]
    public void Refuses_a_missing_or_bad_tls_crypt_file()
    {
        using var ca = _pki.Init();
        ca.IssueClients(new ClientBatchRequest { Count = 1 });
        var missing = Path.Combine(_pki.Parent, "none.key");
        Assert.Throws<PkiException>(() => ClientProfile.Render(ca, "device-000001", new RemoteEndpoint("h", 1), missing));
        var bad = Path.Combine(_pki.Parent, "bad.key");
        File.WriteAllText(bad, "hello");
        Assert.Throws<PkiException>(() => ClientProfile.Render(ca, "device-000001", new RemoteEndpoint("h", 1), bad));
    }

    [Theory]
    [InlineData("vpn.example.com:1194", "vpn.example.com", 1194)]
    [InlineData("10.77.0.1:443", "10.77.0.1", 443)]
    [InlineData("[2001:db8::1]:1195", "2001:db8::1", 1195)]
    public void Parses_remote_endpoints(string text, string host, int port)
    {
        Assert.Equal(new RemoteEndpoint(host, port), RemoteEndpoint.Parse(text));
    }

    [Theory]
    [InlineData("vpn.example.com")]
    [InlineData("vpn.example.com:")]
    [InlineData(":1194")]
    [InlineData("host:0")]
    [InlineData("host:65536")]
    [InlineData("host:12ab")]
    [InlineData("2001:db8::1:1194")]
    [InlineData("[2001:db8::1]")]
    [InlineData("[10.0.0.1]:1194")]
    [InlineData("bad host:1194")]
    public void Refuses_bad_remote_endpoints(string text)
    {
        Assert.Throws<PkiException>(() => RemoteEndpoint.Parse(text));
    }

    private static string Inline(string profile, string tag)
    {
        var match = Regex.Match(profile, $"<{tag}>\n(.*?)</{tag}>\n", RegexOptions.Singleline);
        Assert.True(match.Success, $"no <{tag}> block");
        return match.Groups[1].Value;
    }
}
