using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using FleetVpn.ControlChannel.Revocation;

namespace FleetVpn.ControlChannel;

/// <summary>What every server-side TLS session shares: the certificate context, the client certificate policy and the TLS versions and suites offered.</summary>
public sealed class ServerTlsSettings
{
    public ServerTlsSettings(X509Certificate2 serverCertificate, X509Certificate2Collection trustAnchors, bool requireClientEku,
        IRevocationCheck? revocation = null)
    {
        // offline: never fetch intermediates over the network when building the server's chain.
        CertificateContext = SslStreamCertificateContext.Create(serverCertificate, additionalCertificates: null, offline: true);
        Policy = new ClientCertificatePolicy(trustAnchors, requireClientEku, revocation);
    }

    public SslStreamCertificateContext CertificateContext { get; }
    public ClientCertificatePolicy Policy { get; }

    /// <summary>TLS 1.2 and 1.3, as OpenVPN 2.6 (tls-version-min 1.2 by default) negotiates; `tls-version-min 1.3` leaves 1.3 alone.</summary>
    public SslProtocols Protocols { get; init; } = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>`tls-cipher` / `tls-ciphersuites`: the suites offered; null = the TLS library's defaults.</summary>
    public CipherSuitesPolicy? CipherSuites { get; init; }
}
