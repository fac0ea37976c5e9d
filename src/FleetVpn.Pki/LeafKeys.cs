using System.Security.Cryptography;

namespace FleetVpn.Pki;

/// <summary>Key pairs for new certificates, and their PEM form (PKCS#8, unencrypted: <c>-----BEGIN PRIVATE KEY-----</c>).</summary>
internal static class LeafKeys
{
    public static AsymmetricAlgorithm Generate(PkiKeyType keyType) => keyType switch
    {
        PkiKeyType.EcdsaP256 => ECDsa.Create(ECCurve.NamedCurves.nistP256),
        PkiKeyType.Rsa2048 => RSA.Create(2048),
        _ => throw new ArgumentOutOfRangeException(nameof(keyType)),
    };

    /// <summary>The private key as PKCS#8 PEM with a final newline.</summary>
    public static string ExportPem(AsymmetricAlgorithm key) => key.ExportPkcs8PrivateKeyPem() + "\n";

    /// <summary>Reads an unencrypted PEM private key (PKCS#8, PKCS#1 RSA or SEC1 EC) of either kind.</summary>
    public static AsymmetricAlgorithm ImportPem(string pem, string path)
    {
        if (pem.Contains("ENCRYPTED PRIVATE KEY", StringComparison.Ordinal))
            throw new PkiException($"{path}: the key is encrypted; fleetvpn pki needs an unencrypted key");
        foreach (var factory in new Func<AsymmetricAlgorithm>[] { () => ECDsa.Create(), () => RSA.Create() })
        {
            var key = factory();
            try
            {
                key.ImportFromPem(pem);
                return key;
            }
            catch (Exception e) when (e is CryptographicException or ArgumentException)
            {
                key.Dispose();
            }
        }
        throw new PkiException($"{path}: no unencrypted ECDSA or RSA private key in PEM form");
    }
}
