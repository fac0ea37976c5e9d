using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FleetVpn.Pki.Tests;

/// <summary>Assertions on issued files: extensions, chains, keys.</summary>
internal static class CertificateChecks
{
    public static X509Certificate2 Load(string path) => X509Certificate2.CreateFromPem(File.ReadAllText(path));

    public static T Extension<T>(X509Certificate2 certificate) where T : X509Extension =>
        certificate.Extensions.OfType<T>().SingleOrDefault() ?? throw new Xunit.Sdk.XunitException($"{certificate.Subject} has no {typeof(T).Name}");

    public static string[] ExtendedKeyUsages(X509Certificate2 certificate) =>
        Extension<X509EnhancedKeyUsageExtension>(certificate).EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value!).ToArray();

    /// <summary>The chain from <paramref name="leaf"/> to <paramref name="ca"/> builds with only the CA trusted, for <paramref name="purposeOid"/>.</summary>
    public static void AssertChainsTo(X509Certificate2 leaf, X509Certificate2 ca, string purposeOid)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(purposeOid));
        var built = chain.Build(leaf);
        Assert.True(built, $"{leaf.Subject}: {string.Join("; ", chain.ChainStatus.Select(s => $"{s.Status}: {s.StatusInformation}"))}");
        Assert.Equal(2, chain.ChainElements.Count);
        Assert.Equal(ca.Thumbprint, chain.ChainElements[1].Certificate.Thumbprint);
    }

    /// <summary>The key file is unencrypted PKCS#8 PEM, mode 0600, and is the private key of the certificate file.</summary>
    public static void AssertKeyMatches(string certificatePath, string keyPath)
    {
        var pem = File.ReadAllText(keyPath);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----\n", pem);
        Assert.EndsWith("-----END PRIVATE KEY-----\n", pem);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyPath));

        using var withKey = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        Assert.True(withKey.HasPrivateKey);
        var data = "proof of possession"u8.ToArray();
        if (withKey.GetECDsaPublicKey() is { } ecPublic)
        {
            using var ecPrivate = withKey.GetECDsaPrivateKey()!;
            Assert.True(ecPublic.VerifyData(data, ecPrivate.SignData(data, HashAlgorithmName.SHA256), HashAlgorithmName.SHA256));
            ecPublic.Dispose();
        }
        else
        {
            using var rsaPublic = withKey.GetRSAPublicKey()!;
            using var rsaPrivate = withKey.GetRSAPrivateKey()!;
            var signature = rsaPrivate.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            Assert.True(rsaPublic.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        }
    }
}
