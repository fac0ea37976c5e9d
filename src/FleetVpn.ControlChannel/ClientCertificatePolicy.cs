using System.Security.Cryptography.X509Certificates;
using FleetVpn.ControlChannel.Revocation;

namespace FleetVpn.ControlChannel;

/// <summary>
/// Decides whether a client certificate is acceptable: its chain ends at one of the configured
/// `ca` certificates (no system roots, no downloads), it is within its validity period, and with
/// `remote-cert-tls client` it carries the TLS Web Client Authentication EKU and a fitting key usage, and with
/// `crl-verify` no certificate of its chain is revoked.
/// </summary>
public sealed class ClientCertificatePolicy
{
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";
    private readonly X509Certificate2Collection _trustAnchors;
    private readonly bool _requireClientEku;
    private IRevocationCheck? _revocation;

    public ClientCertificatePolicy(X509Certificate2Collection trustAnchors, bool requireClientEku, IRevocationCheck? revocation = null)
    {
        _trustAnchors = trustAnchors;
        _requireClientEku = requireClientEku;
        _revocation = revocation;
    }

    /// <summary>
    /// `crl-verify` (null: none). The one live reference to the revocation data: each check is immutable, so a reload
    /// swaps in a new one here and every handshake sees either the old or the new check whole.
    /// </summary>
    public IRevocationCheck? Revocation
    {
        get => Volatile.Read(ref _revocation);
        set => Volatile.Write(ref _revocation, value);
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
        return Revocation?.Check(ChainOf(certificate, built), now);
    }

    /// <summary>The client's certificate, then its CAs from the chain TLS built (the leaf alone without one).</summary>
    private static IReadOnlyList<X509Certificate2> ChainOf(X509Certificate2 certificate, X509Chain? built)
    {
        if (built is null || built.ChainElements.Count == 0) return [certificate];
        var chain = new List<X509Certificate2>(built.ChainElements.Count) { certificate };
        for (var i = 1; i < built.ChainElements.Count; i++) chain.Add(built.ChainElements[i].Certificate);
        return chain;
    }

    /// <summary>The certificate's common name (what OpenVPN calls the client's CN).</summary>
    public static string CommonName(X509Certificate2 certificate) =>
        certificate.GetNameInfo(X509NameType.SimpleName, false) is { Length: > 0 } cn ? cn : certificate.Subject;
}
