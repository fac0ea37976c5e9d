using System.Security.Cryptography.X509Certificates;

namespace FleetVpn.ControlChannel;

/// <summary>
/// Decides whether a client certificate is acceptable: its chain ends at one of the configured
/// `ca` certificates (no system roots, no downloads), it is within its validity period, and with
/// `remote-cert-tls client` it carries the TLS Web Client Authentication EKU and a fitting key usage.
/// </summary>
public sealed class ClientCertificatePolicy
{
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";
    private readonly X509Certificate2Collection _trustAnchors;
    private readonly bool _requireClientEku;

    public ClientCertificatePolicy(X509Certificate2Collection trustAnchors, bool requireClientEku)
    {
        _trustAnchors = trustAnchors;
        _requireClientEku = requireClientEku;
    }

    /// <summary>
    /// The chain policy TLS validates client certificates with: the configured `ca` only. Given to SslStream, its own
    /// chain build is the one check (with its default policy it would first build against the system's root store,
    /// a second and costlier build per handshake).
    /// </summary>
    public X509ChainPolicy ChainPolicy() => CertificateChainCheck.Policy(_trustAnchors, null, now: null);

    /// <summary>
    /// Null when acceptable, else the reason it is not. <paramref name="built"/>: the chain TLS already built with
    /// <see cref="ChainPolicy"/>; without it the chain is built here.
    /// </summary>
    public string? Check(X509Certificate2? certificate, DateTime now, X509Chain? built = null)
    {
        if (certificate is null) return "no client certificate";
        if (now < certificate.NotBefore) return $"certificate not yet valid (valid from {certificate.NotBefore:u})";
        if (now > certificate.NotAfter) return $"certificate expired (valid until {certificate.NotAfter:u})";
        var reason = built is not null && built.ChainElements.Count > 0
            ? CertificateChainCheck.Explain(built, certificate, "certificate")
            : CertificateChainCheck.Check(certificate, _trustAnchors, null, now, "certificate");
        if (reason is not null) return reason;

        if (_requireClientEku)
        {
            var eku = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
            if (eku is null || !eku.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Any(o => o.Value == ClientAuthOid))
                return "EKU check failed: certificate lacks TLS Web Client Authentication (remote-cert-tls client)";
            var ku = certificate.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
            if (ku is not null && (ku.KeyUsages & (X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement)) == 0)
                return "key usage check failed: needs digitalSignature or keyAgreement (remote-cert-tls client)";
        }
        return null;
    }

    /// <summary>The certificate's common name (what OpenVPN calls the client's CN).</summary>
    public static string CommonName(X509Certificate2 certificate) =>
        certificate.GetNameInfo(X509NameType.SimpleName, false) is { Length: > 0 } cn ? cn : certificate.Subject;
}
