using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FleetVpn.Pki;

/// <summary>
/// One thread's handle on the CA's private key: signs leaf certificates. Signing keys are not shared
/// between threads; a parallel issuer makes one signer per worker (<see cref="CertificateAuthority.CreateSigner"/>).
/// </summary>
internal sealed class CaSigner : IDisposable
{
    private readonly AsymmetricAlgorithm _key;
    private readonly X509SignatureGenerator _generator;
    private readonly byte[] _issuer;
    private readonly byte[] _signatureAlgorithm;

    public CaSigner(X509Certificate2 ca, AsymmetricAlgorithm key)
    {
        _key = key;
        _issuer = ca.SubjectName.RawData;
        (_generator, HashAlgorithm) = key switch
        {
            ECDsa ec => (X509SignatureGenerator.CreateForECDsa(ec), ec.KeySize switch
            {
                > 384 => HashAlgorithmName.SHA512,
                > 256 => HashAlgorithmName.SHA384,
                _ => HashAlgorithmName.SHA256,
            }),
            RSA rsa => (X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1), HashAlgorithmName.SHA256),
            _ => throw new PkiException("the CA key is neither ECDSA nor RSA"),
        };
        _signatureAlgorithm = _generator.GetSignatureAlgorithmIdentifier(HashAlgorithm);
    }

    /// <summary>The digest of the CA's signatures: SHA-256 (SHA-384/512 for larger EC CA keys).</summary>
    public HashAlgorithmName HashAlgorithm { get; }

    /// <summary>A certificate issued by the CA, as DER.</summary>
    public byte[] Sign(ReadOnlySpan<byte> serialNumber, X500DistinguishedName subject, byte[] subjectPublicKeyInfo,
        DateTimeOffset notBefore, DateTimeOffset notAfter, IEnumerable<X509Extension> extensions)
    {
        var tbs = CertificateEncoder.EncodeTbs(serialNumber, _signatureAlgorithm, _issuer, notBefore, notAfter,
            subject.RawData, subjectPublicKeyInfo, extensions);
        return CertificateEncoder.Assemble(tbs, _signatureAlgorithm, _generator.SignData(tbs, HashAlgorithm));
    }

    public void Dispose() => _key.Dispose();
}
