namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>Why a client certificate must be refused.</summary>
public enum CertificateProblem
{
    /// <summary>Issued by a CA the server does not trust.</summary>
    UntrustedRoot,

    /// <summary>Past its notAfter date.</summary>
    Expired,

    /// <summary>No clientAuth extended key usage while the server has <c>remote-cert-tls client</c>.</summary>
    MissingClientAuthEku,
}
