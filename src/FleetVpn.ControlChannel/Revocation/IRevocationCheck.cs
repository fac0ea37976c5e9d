using System.Security.Cryptography.X509Certificates;

namespace FleetVpn.ControlChannel.Revocation;

/// <summary>
/// <c>crl-verify</c>: whether a client's certificate chain holds a revoked certificate. Implementations are immutable,
/// so a configuration reload replaces the whole check at once (<see cref="ClientCertificatePolicy.Revocation"/>).
/// </summary>
public interface IRevocationCheck
{
    /// <summary>Null when no certificate of <paramref name="chain"/> (the client's first, its CAs after it) is refused, else why.</summary>
    string? Check(IReadOnlyList<X509Certificate2> chain, DateTime now);

    /// <summary>
    /// Whether the certificate a connected client presented is revoked by name (its serial, from its issuer): what a
    /// reload checks the clients already connected against. Expiry of the revocation data is left to the next
    /// handshake: a reload never drops everyone because a CRL ran out.
    /// </summary>
    bool RevokesConnected(CertificateIdentity identity);

    /// <summary>One line for the start-up log: what was loaded, and a warning when it already refuses everyone.</summary>
    string Describe(DateTime now);
}
