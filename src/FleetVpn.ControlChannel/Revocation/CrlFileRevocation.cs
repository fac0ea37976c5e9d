using System.Security.Cryptography.X509Certificates;

namespace FleetVpn.ControlChannel.Revocation;

/// <summary>
/// <c>crl-verify FILE</c>: the CRLs of a PEM file, checked as OpenVPN 2.6 with OpenSSL checks them
/// (<c>X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL</c>): every certificate of the chain needs a CRL from its
/// issuer, that CRL must be current (an expired CRL refuses every client until a fresh one is loaded), and the
/// certificate's serial must not be on it. The CRLs' signatures are checked once, at start-up.
/// </summary>
public sealed class CrlFileRevocation : IRevocationCheck
{
    public CrlFileRevocation(string source, IReadOnlyList<RevocationList> lists)
    {
        Source = source;
        Lists = lists;
    }

    /// <summary>The file the CRLs came from, for messages.</summary>
    public string Source { get; }

    public IReadOnlyList<RevocationList> Lists { get; }

    public string? Check(IReadOnlyList<X509Certificate2> chain, DateTime now)
    {
        for (var depth = 0; depth < chain.Count; depth++)
        {
            var certificate = chain[depth];
            // Several CRLs of one issuer: the newest speaks, as OpenSSL picks it.
            var list = Lists.Where(l => l.Covers(certificate)).MaxBy(l => l.ThisUpdate);
            var who = RevocationMessages.Name(certificate, depth);
            if (list is null)
                return $"{who}: no CRL from its issuer '{certificate.Issuer}' in {Source} (with crl-verify every certificate of the chain needs one, as in OpenSSL)";
            if (list.NextUpdate is { } next && now > next)
                return $"{who} refused: the CRL of '{list.Issuer.Name}' in {Source} expired at {next:u} (nextUpdate); " +
                       "every client is refused until a current CRL is loaded (as OpenVPN with OpenSSL: 'CRL has expired')";
            if (now < list.ThisUpdate)
                return $"{who} refused: the CRL of '{list.Issuer.Name}' in {Source} is not yet valid (thisUpdate {list.ThisUpdate:u})";
            if (list.Revokes(certificate.SerialNumberBytes.Span))
                return $"{who} revoked by CRL {Source}";
        }
        return null;
    }

    /// <summary>Every revoked (issuer, serial) as identities, made at the first <see cref="RevokesConnected"/> (a reload).</summary>
    private HashSet<CertificateIdentity>? _revokedIdentities;

    public bool RevokesConnected(CertificateIdentity identity)
    {
        var revoked = Volatile.Read(ref _revokedIdentities);
        if (revoked is null)
        {
            revoked = [];
            foreach (var list in Lists)
            {
                uint issuer = CertificateIdentity.HashIssuer(list.Issuer);
                foreach (var serial in list.RevokedSerials) revoked.Add(new CertificateIdentity(CertificateIdentity.HashSerial(serial), issuer));
            }
            Volatile.Write(ref _revokedIdentities, revoked);
        }
        return revoked.Contains(identity);
    }

    public string Describe(DateTime now)
    {
        var parts = Lists.Select(l =>
        {
            var state = l.NextUpdate is { } next
                ? now > next ? $"EXPIRED at {next:u}: every client will be refused" : $"next update {next:u}"
                : "no next update";
            return $"'{l.Issuer.Name}': {l.RevokedCount} revoked, {state}";
        });
        return $"crl-verify {Source}: {Lists.Count} CRL(s): {string.Join("; ", parts)}";
    }
}
