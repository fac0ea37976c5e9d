namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The server-log lines the tests look for. Client-side assertions are the same for both
/// servers; only the server's own wording differs.
/// <para>FleetVPN (the contract agreed with the engine, matched on keywords only, case-insensitive):
/// a refused certificate is a line containing "certificate rejected" and the reason
/// ("untrusted"/"unknown CA"/"issuer" for a foreign CA, "expired", "EKU"/"extended key usage"/"clientAuth");
/// a refusal for max-clients is a line containing "max-clients".</para>
/// <para>openvpn 2.6 (stand-in): "VERIFY ERROR: ... unable to get local issuer certificate",
/// "VERIFY ERROR: ... certificate has expired", "VERIFY EKU ERROR" (or "Certificate does not have
/// extended key usage extension"), and "MULTI: new incoming connection would exceed maximum number of clients".</para>
/// </summary>
public static class ServerLogExpectations
{
    public static bool IsRejection(ServerKind kind, CertificateProblem problem, string line) => kind switch
    {
        ServerKind.FleetVpn => Has(line, "certificate rejected") && problem switch
        {
            CertificateProblem.UntrustedRoot => HasAny(line, "untrusted", "unknown ca", "unknown issuer", "issuer", "not trusted"),
            CertificateProblem.Expired => HasAny(line, "expired"),
            CertificateProblem.MissingClientAuthEku => HasAny(line, "eku", "extended key usage", "clientauth"),
            _ => false,
        },
        ServerKind.OpenVpn => problem switch
        {
            CertificateProblem.UntrustedRoot => Has(line, "VERIFY ERROR") && Has(line, "unable to get local issuer certificate"),
            CertificateProblem.Expired => Has(line, "VERIFY ERROR") && Has(line, "certificate has expired"),
            CertificateProblem.MissingClientAuthEku => HasAny(line, "VERIFY EKU ERROR", "does not have extended key usage"),
            _ => false,
        },
        _ => false,
    };

    public static string Describe(ServerKind kind, CertificateProblem problem) => kind switch
    {
        ServerKind.FleetVpn => $"a line with \"certificate rejected\" and the reason ({problem})",
        _ => $"openvpn's VERIFY error for {problem}",
    };

    public static bool IsMaxClientsRefusal(ServerKind kind, string line) => kind switch
    {
        ServerKind.FleetVpn => Has(line, "max-clients"),
        ServerKind.OpenVpn => Has(line, "would exceed maximum number of clients"),
        _ => false,
    };

    private static bool Has(string line, string text) => line.Contains(text, StringComparison.OrdinalIgnoreCase);

    private static bool HasAny(string line, params string[] texts) => texts.Any(t => Has(line, t));
}
