using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FleetVpn.ControlChannel;

/// <summary>
/// Decides whether a server certificate is acceptable to a client: its chain ends at one of the
/// configured `ca` certificates (custom root trust: no system roots, no downloads, no revocation),
/// it is within its validity period, and with `remote-cert-tls server` it carries the TLS Web Server
/// Authentication EKU. The host name is not checked (OpenVPN does not check it either without
/// `verify-x509-name`).
/// </summary>
public sealed class ServerCertificatePolicy
{
    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    private readonly X509Certificate2Collection _trustAnchors;
    private readonly bool _requireServerEku;

    public ServerCertificatePolicy(X509Certificate2Collection trustAnchors, bool requireServerEku = true)
    {
        _trustAnchors = trustAnchors;
        _requireServerEku = requireServerEku;
    }

    /// <summary>An offline chain policy that trusts only the configured CA certificates.</summary>
    public X509ChainPolicy CreateChainPolicy(DateTime now) => CertificateChainCheck.Policy(_trustAnchors, null, now);

    /// <summary>Null when acceptable, else the reason it is not.</summary>
    public string? Check(X509Certificate2? certificate, X509Certificate2Collection? intermediates, DateTime now)
    {
        if (certificate is null) return "no server certificate";
        if (CertificateChainCheck.Check(certificate, _trustAnchors, intermediates, now, "server certificate") is { } reason) return reason;

        if (_requireServerEku && !HasServerAuth(certificate))
            return "EKU check failed: server certificate lacks TLS Web Server Authentication (remote-cert-tls server)";
        return null;
    }

    /// <summary>True when the certificate carries the serverAuth extended key usage.</summary>
    public static bool HasServerAuth(X509Certificate2 certificate) => HasEku(certificate, ServerAuthOid);

    /// <summary>True when the certificate has an EKU extension that lists only serverAuth (a server's certificate).</summary>
    public static bool IsServerOnly(X509Certificate2 certificate)
    {
        var eku = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        if (eku is null) return false;
        var oids = eku.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value).ToList();
        return oids.Count > 0 && oids.All(o => o == ServerAuthOid);
    }

    private static bool HasEku(X509Certificate2 certificate, string oid)
    {
        var eku = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        return eku is not null && eku.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == oid);
    }
}
