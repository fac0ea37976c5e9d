using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace FleetVpn.ControlChannel;

/// <summary>
/// What every client-side TLS session with one identity shares: the client certificate (as a
/// certificate context, built once) and the server certificate policy.
/// </summary>
public sealed class ClientTlsSettings
{
    public ClientTlsSettings(X509Certificate2 clientCertificate, X509Certificate2Collection trustAnchors, bool requireServerEku = true)
    {
        Certificate = clientCertificate;
        // offline: never fetch intermediates over the network when building the client's chain.
        CertificateContext = SslStreamCertificateContext.Create(clientCertificate, additionalCertificates: null, offline: true);
        Policy = new ServerCertificatePolicy(trustAnchors, requireServerEku);
    }

    public X509Certificate2 Certificate { get; }
    public SslStreamCertificateContext CertificateContext { get; }
    public ServerCertificatePolicy Policy { get; }

    /// <summary>TLS 1.2 and 1.3, as OpenVPN 2.6 (tls-version-min 1.2 by default) negotiates.</summary>
    public SslProtocols Protocols { get; init; } = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>
    /// Loads a certificate and its PEM private key (PKCS#8 or PKCS#1). The key is re-imported
    /// through a PKCS#12 export so that <see cref="SslStream"/> can use it on Linux (an ephemeral
    /// key from <c>CreateFromPemFile</c> cannot be used for TLS client authentication there).
    /// </summary>
    public static X509Certificate2 LoadCertificate(string certificatePath, string keyPath)
    {
        using var ephemeral = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        var pfx = ephemeral.Export(X509ContentType.Pkcs12);
        return X509CertificateLoader.LoadPkcs12(pfx, password: null, X509KeyStorageFlags.Exportable);
    }

    /// <summary>Loads every certificate of a PEM file (a `ca` file may hold several).</summary>
    public static X509Certificate2Collection LoadTrustAnchors(string caPath)
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPemFile(caPath);
        if (collection.Count == 0) throw new InvalidDataException($"{caPath}: no certificate");
        return collection;
    }
}
