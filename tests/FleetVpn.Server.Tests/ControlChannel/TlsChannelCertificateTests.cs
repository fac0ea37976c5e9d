using FleetVpn.ControlChannel;
using FleetVpn.Server.Tests.Config;

namespace FleetVpn.Server.Tests.ControlChannel;

/// <summary>
/// A TLS handshake between the two channel roles, in memory, with the fixture PKI: the client certificate the server
/// saw is disposed with the server's channel, since SslStream no longer disposes a certificate it exposed.
/// </summary>
public sealed class TlsChannelCertificateTests
{
    private static string Key(string name) => Path.Combine(ConfigTestFiles.KeysDirectory, name);

    [Fact]
    public async Task The_client_certificate_is_disposed_with_the_server_channel()
    {
        var anchors = ClientTlsSettings.LoadTrustAnchors(Key("ca.crt"));
        var serverSettings = new ServerTlsSettings(ClientTlsSettings.LoadCertificate(Key("server.crt"), Key("server.key")), anchors, requireClientEku: true);
        var clientSettings = new ClientTlsSettings(ClientTlsSettings.LoadCertificate(Key("client.crt"), Key("client.key")), anchors);
        TlsServerChannel? server = null;
        TlsClientChannel? client = null;
        server = new TlsServerChannel(serverSettings, ciphertext => client!.Deliver(ciphertext));
        client = new TlsClientChannel(clientSettings, ciphertext => server.Deliver(ciphertext));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        await Task.WhenAll(server.AuthenticateAsync(timeout.Token), client.AuthenticateAsync(timeout.Token));

        var certificate = server.ClientCertificate;
        Assert.NotNull(certificate);
        Assert.Equal("test-client", ClientCertificatePolicy.CommonName(certificate));
        Assert.NotEqual(IntPtr.Zero, certificate.Handle);
        await server.DisposeAsync();
        await client.DisposeAsync();
        Assert.Equal(IntPtr.Zero, certificate.Handle);
    }
}
