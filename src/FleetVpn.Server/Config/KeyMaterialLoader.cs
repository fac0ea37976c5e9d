using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FleetVpn.Server.Config;

/// <summary>
/// Loads and checks PEM key material at parse time, so a bad <c>ca</c>, <c>cert</c> or <c>key</c>
/// stops the server before it binds: CA bundles (several certificates), the server certificate
/// (plus any chain certificates after it in the same file) and unencrypted private keys in
/// PKCS#8 (<c>PRIVATE KEY</c>), PKCS#1 (<c>RSA PRIVATE KEY</c>) or SEC1 (<c>EC PRIVATE KEY</c>) form.
/// </summary>
internal static class KeyMaterialLoader
{
    private const string CertificateLabel = "CERTIFICATE";

    /// <summary>
    /// Every <c>CERTIFICATE</c> block of a file, in order; at least one is required. For <c>ca</c>
    /// these are the trust anchors; for <c>cert</c> the first is the server's own and the rest
    /// are the chain sent with it, as OpenSSL's <c>use_certificate_chain_file</c> reads it.
    /// </summary>
    public static X509Certificate2Collection LoadCertificates(string pem, ConfigDirective directive)
    {
        var certificates = new X509Certificate2Collection();
        foreach (var (label, der) in EnumeratePem(pem))
        {
            if (label != CertificateLabel) continue;
            try
            {
                certificates.Add(X509CertificateLoader.LoadCertificate(der));
            }
            catch (CryptographicException ex)
            {
                throw directive.Error($"certificate {certificates.Count + 1} in the file cannot be read: {ex.Message}", ex);
            }
        }
        if (certificates.Count == 0) throw directive.Error("contains no PEM certificate (-----BEGIN CERTIFICATE-----)");
        return certificates;
    }

    /// <summary>Checks that <paramref name="pem"/> holds one usable, unencrypted RSA or EC private key.</summary>
    public static void ValidatePrivateKey(string pem, ConfigDirective directive)
    {
        if (pem.Contains("ENCRYPTED PRIVATE KEY", StringComparison.Ordinal) || pem.Contains("Proc-Type: 4,ENCRYPTED", StringComparison.Ordinal))
            throw directive.Error("encrypted private keys are not supported yet (no askpass): decrypt it with 'openssl pkey'");

        foreach (var (label, _) in EnumeratePem(pem))
        {
            switch (label)
            {
                case "RSA PRIVATE KEY":
                    EnsureImports(directive, () => { using var rsa = RSA.Create(); rsa.ImportFromPem(pem); });
                    return;
                case "EC PRIVATE KEY":
                    EnsureImports(directive, () => { using var ec = ECDsa.Create(); ec.ImportFromPem(pem); });
                    return;
                case "PRIVATE KEY":
                    if (TryImport(() => { using var rsa = RSA.Create(); rsa.ImportFromPem(pem); })
                        || TryImport(() => { using var ec = ECDsa.Create(); ec.ImportFromPem(pem); }))
                        return;
                    throw directive.Error("unsupported private key: only RSA and EC (ECDSA) keys are supported");
            }
        }
        throw directive.Error("contains no PEM private key (-----BEGIN PRIVATE KEY-----, RSA PRIVATE KEY or EC PRIVATE KEY)");
    }

    /// <summary>
    /// The server certificate joined with its private key, ready for <c>SslStream</c>.
    /// Returns null when the key does not belong to the certificate.
    /// </summary>
    public static X509Certificate2? CombineCertificateAndKey(string certificatePem, string keyPem)
    {
        X509Certificate2 withKey;
        try
        {
            withKey = X509Certificate2.CreateFromPem(certificatePem, keyPem);
        }
        catch (CryptographicException)
        {
            return null;
        }
        using (withKey)
        {
            // On Linux a certificate whose key was attached from PEM keeps an ephemeral key that
            // SslStream cannot always use as a server credential; a PKCS#12 round trip gives it a
            // key the TLS stack accepts.
            return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        }
    }

    /// <summary>Each PEM block's label and decoded bytes; text around the blocks (e.g. openssl's "Certificate:" dump) is skipped.</summary>
    internal static IEnumerable<(string Label, byte[] Der)> EnumeratePem(string pem)
    {
        var offset = 0;
        while (offset < pem.Length)
        {
            if (!PemEncoding.TryFind(pem.AsSpan(offset), out var fields)) yield break;
            var block = pem.AsMemory(offset);
            var label = block.Span[fields.Label].ToString();
            var der = Convert.FromBase64String(block.Span[fields.Base64Data].ToString());
            offset += fields.Location.End.Value;
            yield return (label, der);
        }
    }

    private static void EnsureImports(ConfigDirective directive, Action import)
    {
        try
        {
            import();
        }
        catch (CryptographicException ex)
        {
            throw directive.Error($"the private key cannot be read: {ex.Message}", ex);
        }
    }

    private static bool TryImport(Action import)
    {
        try
        {
            import();
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
