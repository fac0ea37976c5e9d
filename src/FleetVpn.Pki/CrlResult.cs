namespace FleetVpn.Pki;

/// <summary>What <c>pki crl</c> wrote: the file, the CRL's number, how many certificates it revokes, and its validity.</summary>
public sealed record CrlResult(string Path, System.Numerics.BigInteger Number, int RevokedCount, DateTimeOffset ThisUpdate, DateTimeOffset NextUpdate);
