using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FleetVpn.Pki;

/// <summary>
/// The extensions of each kind of certificate, as easy-rsa writes them and as OpenVPN's
/// <c>remote-cert-tls server|client</c> checks them (a key usage present, the TLS Web Server / Client
/// Authentication extended key usage):
/// <list type="bullet">
/// <item>CA: basicConstraints critical CA:TRUE; keyUsage critical keyCertSign, cRLSign; subjectKeyIdentifier.</item>
/// <item>server and client: basicConstraints CA:FALSE; keyUsage critical digitalSignature (plus keyEncipherment for
/// RSA keys); extendedKeyUsage serverAuth or clientAuth; subjectKeyIdentifier; authorityKeyIdentifier (key id).
/// A server certificate also names its common name as a subjectAltName (DNS name, or IP address).</item>
/// </list>
/// </summary>
public static class CertificateProfiles
{
    /// <summary>TLS Web Server Authentication (id-kp-serverAuth).</summary>
    public const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";

    /// <summary>TLS Web Client Authentication (id-kp-clientAuth).</summary>
    public const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    public const string EcPublicKeyOid = "1.2.840.10045.2.1";
    public const string RsaPublicKeyOid = "1.2.840.113549.1.1.1";

    /// <summary>Adds the CA extensions to <paramref name="request"/>.</summary>
    public static void AddCaExtensions(CertificateRequest request)
    {
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
    }

    /// <summary>
    /// The extensions every leaf of one role and key type shares (basic constraints, key usage, extended key
    /// usage, authority key identifier), made once and added to each request.
    /// </summary>
    internal static X509Extension[] LeafCommonExtensions(CertificateRole role, PkiKeyType keyType, X509Extension authorityKeyIdentifier)
    {
        var usage = keyType == PkiKeyType.Rsa2048
            ? X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment
            : X509KeyUsageFlags.DigitalSignature;
        var eku = role == CertificateRole.Server ? ServerAuthOid : ClientAuthOid;
        return
        [
            new X509BasicConstraintsExtension(false, false, 0, true),
            new X509KeyUsageExtension(usage, true),
            new X509EnhancedKeyUsageExtension([new Oid(eku)], false),
            authorityKeyIdentifier,
        ];
    }

    /// <summary>subjectAltName for a server: its common name as an IP address when it is one, otherwise as a DNS name.</summary>
    internal static X509Extension ServerAlternativeName(string commonName)
    {
        var san = new SubjectAlternativeNameBuilder();
        if (IPAddress.TryParse(commonName, out var address)) san.AddIpAddress(address);
        else san.AddDnsName(commonName);
        return san.Build();
    }

    /// <summary>The authority key identifier that names <paramref name="ca"/>'s key (its subject key identifier).</summary>
    internal static X509Extension AuthorityKeyIdentifier(X509Certificate2 ca)
    {
        var ski = ca.Extensions.OfType<X509SubjectKeyIdentifierExtension>().FirstOrDefault();
        return ski is not null
            ? X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(ski)
            : X509AuthorityKeyIdentifierExtension.CreateFromIssuerNameAndSerialNumber(ca.IssuerName, ca.SerialNumberBytes.Span);
    }
}

/// <summary>What a leaf certificate is for.</summary>
public enum CertificateRole
{
    Server,
    Client,
}
