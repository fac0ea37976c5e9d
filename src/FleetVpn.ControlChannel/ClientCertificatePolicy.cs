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

    /// <summary>Null when acceptable, else the reason it is not.</summary>
    public string? Check(X509Certificate2? certificate, DateTime now)
    {
        if (certificate is null) return "no client certificate";
        if (CertificateChainCheck.Check(certificate, _trustAnchors, null, now, "certificate") is { } reason) return reason;

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
