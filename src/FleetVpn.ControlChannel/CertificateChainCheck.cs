using System.Security.Cryptography.X509Certificates;

namespace FleetVpn.ControlChannel;

/// <summary>
/// The check both certificate policies start with: the certificate is within its validity period
/// and its chain ends at one of the configured `ca` certificates (custom root trust: no system
/// roots, no downloads, no revocation). Returns the reason it fails, or null.
/// </summary>
public static class CertificateChainCheck
{
    /// <param name="subject">How the reasons name the certificate ("certificate", "server certificate").</param>
    public static string? Check(X509Certificate2 certificate, X509Certificate2Collection trustAnchors,
        X509Certificate2Collection? intermediates, DateTime now, string subject)
    {
        if (now < certificate.NotBefore) return $"{subject} not yet valid (valid from {certificate.NotBefore:u})";
        if (now > certificate.NotAfter) return $"{subject} expired (valid until {certificate.NotAfter:u})";

        using var chain = new X509Chain();
        chain.ChainPolicy = Policy(trustAnchors, intermediates, now);
        return chain.Build(certificate) ? null : Explain(chain, certificate, subject);
    }

    /// <summary>Custom root trust on <paramref name="trustAnchors"/>: no system roots, no downloads, no revocation.</summary>
    public static X509ChainPolicy Policy(X509Certificate2Collection trustAnchors, X509Certificate2Collection? intermediates, DateTime? now)
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
            DisableCertificateDownloads = true,
        };
        if (now is { } time) policy.VerificationTime = time;
        policy.CustomTrustStore.AddRange(trustAnchors);
        if (intermediates is not null) policy.ExtraStore.AddRange(intermediates);
        return policy;
    }

    /// <summary>Why a chain built with <see cref="Policy"/> does not hold, or null when it does.</summary>
    public static string? Explain(X509Chain chain, X509Certificate2 certificate, string subject)
    {
        var flags = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (a, s) => a | s.Status);
        if (flags == X509ChainStatusFlags.NoError) return null;
        if ((flags & (X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain)) != 0)
            return $"untrusted root: {subject} issuer '{certificate.Issuer}' is not the configured CA";
        if ((flags & X509ChainStatusFlags.NotTimeValid) != 0) return $"{subject} chain expired";
        return $"{subject} chain verification failed: " + string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()));
    }
}
