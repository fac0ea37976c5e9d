using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace FleetVpn.ControlChannel.Revocation;

/// <summary>
/// What a connected client keeps of its certificate so that a reloaded CRL can be checked against it once the
/// certificate itself is gone (an idle client holds no TLS object): 64 bits of a hash of the serial number and 32 of
/// the issuer's name, 12 bytes instead of the certificate's kilobyte. A match by hash is taken as a revocation; two
/// different certificates meet by chance with odds of about 2^-96 per pair, and a client dropped that way reconnects
/// and is checked again, exactly, by its TLS handshake.
/// </summary>
public readonly record struct CertificateIdentity(ulong SerialHash, uint IssuerHash)
{
    /// <summary>No certificate (a session still in its first handshake).</summary>
    public bool IsEmpty => SerialHash == 0 && IssuerHash == 0;

    public static CertificateIdentity Of(X509Certificate2 certificate) =>
        new(HashSerial(new BigInteger(certificate.SerialNumberBytes.Span, isUnsigned: false, isBigEndian: true)), HashIssuer(certificate.IssuerName));

    /// <summary>The serial's hash: of its minimal big-endian two's complement bytes, as a certificate and a CRL both encode it.</summary>
    public static ulong HashSerial(BigInteger serial)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(serial.ToByteArray(isUnsigned: false, isBigEndian: true), digest);
        return BitConverter.ToUInt64(digest) | 1; // never 0, so a real identity is never IsEmpty
    }

    /// <summary>The issuer's hash, of its name as <see cref="RevocationList"/> compares names.</summary>
    public static uint HashIssuer(X500DistinguishedName issuer)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(issuer.Name), digest);
        return BitConverter.ToUInt32(digest);
    }
}
