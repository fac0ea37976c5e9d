using System.Globalization;
using System.Text.RegularExpressions;

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
/// <para>Sessions, FleetVPN at verb 3: "CN/ADDR connected, assigned IP", "CN/ADDR renegotiated, data keys now key-id N",
/// "CN/ADDR disconnected: REASON" (the client's exit notification: "client exit notification (OCC_EXIT)" or "(EXIT)";
/// duplicate-cn off: "replaced by ... (duplicate-cn is off)"), and on shutdown "shut down; counters: ... wrapper-rejected=N ...".
/// openvpn 2.6: "Peer Connection Initiated", one "Control Channel: TLSv1.3, cipher ..." line per key,
/// "CC-EEN exit message received by peer" then "Delayed exit in 5 seconds", "MULTI: new connection by client 'CN' will cause
/// previous active sessions by this client to be dropped", and "tls-auth"/"HMAC" authentication errors for a wrong key.</para>
/// </summary>
public static partial class ServerLogExpectations
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

    /// <summary>The server's log line that refuses <paramref name="commonName"/> as revoked by crl-verify (file or directory form).</summary>
    public static bool IsRevocation(ServerKind kind, string commonName, string line) => Has(line, commonName) && kind switch
    {
        ServerKind.FleetVpn => Has(line, "certificate rejected") && Has(line, "revoked by CRL") && Has(line, "serial="),
        ServerKind.OpenVpn => (Has(line, "VERIFY ERROR") && Has(line, "certificate revoked")) || (Has(line, "VERIFY CRL") && Has(line, "is revoked")),
        _ => false,
    };

    /// <summary>The server's log line that refuses a client because the CRL of <c>crl-verify</c> is past its nextUpdate.</summary>
    public static bool IsExpiredCrlRefusal(ServerKind kind, string line) => kind switch
    {
        ServerKind.FleetVpn => Has(line, "certificate rejected") && Has(line, "expired at") && Has(line, "(nextUpdate)"),
        ServerKind.OpenVpn => Has(line, "VERIFY ERROR") && Has(line, "CRL has expired"),
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

    /// <summary>A line showing that a client got a session: the start of a connection, whatever its outcome.</summary>
    public static bool IsSessionStart(ServerKind kind, string line) => kind switch
    {
        ServerKind.FleetVpn => HasAny(line, "new session", "connected, assigned"),
        ServerKind.OpenVpn => HasAny(line, "Peer Connection Initiated", "TLS: Initial packet from"),
        _ => false,
    };

    /// <summary>
    /// A line FleetVPN or openvpn may print while a client with a wrong tls-auth key knocks: none for
    /// FleetVPN (it only counts such packets, so a flood of them cannot fill its log); openvpn reports
    /// each failed HMAC check.
    /// </summary>
    public static bool MayAppearForWrongWrapperKey(ServerKind kind, string line) => kind switch
    {
        ServerKind.OpenVpn => HasAny(line, "authentication failed", "HMAC", "TLS Error: incoming packet"),
        _ => false,
    };

    /// <summary>
    /// Evidence that the server dropped packets with a wrong tls-auth HMAC: FleetVPN's shutdown
    /// counters with wrapper-rejected above 0; openvpn's HMAC authentication error.
    /// </summary>
    public static bool IsWrapperRejection(ServerKind kind, string line) => kind switch
    {
        ServerKind.FleetVpn => WrapperRejectedCounter().Match(line) is { Success: true } m && m.Groups[1].Value != "0",
        ServerKind.OpenVpn => HasAny(line, "packet HMAC authentication failed", "incoming packet authentication failed"),
        _ => false,
    };

    public static string DescribeWrapperRejection(ServerKind kind) => kind switch
    {
        ServerKind.FleetVpn => "a shutdown counters line with wrapper-rejected=N, N > 0",
        _ => "openvpn's HMAC authentication error",
    };

    /// <summary>
    /// The data-channel key-ids the log shows the server's clients reached (0 once connected):
    /// FleetVPN names each renegotiated one ("renegotiated, data keys now key-id N"); openvpn 2.6 at
    /// verb 3 does not, but prints one "Control Channel: TLSv1.3, cipher ..." line per TLS handshake,
    /// one per key, so N such lines mean key-ids 0 to N-1 (for a test with one client; key-ids wrap
    /// from 7 to 1, far beyond what the tests reach).
    /// </summary>
    public static IReadOnlySet<int> KeyIdsReached(ServerKind kind, IReadOnlyList<string> lines) => kind switch
    {
        ServerKind.FleetVpn => lines.Select(l => RenegotiatedKeyId().Match(l)).Where(m => m.Success)
            .Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))
            .Concat(lines.Any(l => Has(l, "connected, assigned")) ? [0] : [])
            .ToHashSet(),
        ServerKind.OpenVpn => Enumerable.Range(0, lines.Count(l => Has(l, "Control Channel: TLS"))).ToHashSet(),
        _ => new HashSet<int>(),
    };

    /// <summary>The server ends a session because the client said it exits (explicit-exit-notify).</summary>
    public static bool IsExitNotification(ServerKind kind, string commonName, string line) => Has(line, commonName) && kind switch
    {
        ServerKind.FleetVpn => Has(line, "disconnected: client exit notification"),
        ServerKind.OpenVpn => HasAny(line, "exit message received by peer", "remote-exit"),
        _ => false,
    };

    public static string DescribeExitNotification(ServerKind kind, string commonName) => kind switch
    {
        ServerKind.FleetVpn => $"\"{commonName}/... disconnected: client exit notification (OCC_EXIT|EXIT)\"",
        _ => $"\"{commonName}/... CC-EEN exit message received by peer\"",
    };

    /// <summary>
    /// How long after a client's exit notification its address may still be in use: FleetVPN frees
    /// it at once; openvpn 2.6 keeps the instance for 5 s ("Delayed exit in 5 seconds", its fixed
    /// scheduled-exit interval), and rewrites its status file only when its event loop wakes, which
    /// an idle server does at its next keepalive (ping 10): the stand-in gets 16 s. Excludes the status interval.
    /// </summary>
    public static TimeSpan ExitNotificationGrace(ServerKind kind) => kind switch
    {
        ServerKind.OpenVpn => TimeSpan.FromSeconds(16),
        _ => TimeSpan.FromSeconds(0.5),
    };

    /// <summary>With duplicate-cn off, a new client with the same common name replaced the older one.</summary>
    public static bool IsDuplicateCnReplacement(ServerKind kind, string commonName, string line) => Has(line, commonName) && kind switch
    {
        ServerKind.FleetVpn => Has(line, "replaced by") && Has(line, "duplicate-cn is off"),
        ServerKind.OpenVpn => Has(line, "will cause previous active sessions by this client to be dropped"),
        _ => false,
    };

    [GeneratedRegex(@"\bwrapper-rejected=(\d+)")]
    private static partial Regex WrapperRejectedCounter();

    [GeneratedRegex(@"renegotiated, data keys now key-id (\d+)")]
    private static partial Regex RenegotiatedKeyId();

    private static bool Has(string line, string text) => line.Contains(text, StringComparison.OrdinalIgnoreCase);

    private static bool HasAny(string line, params string[] texts) => texts.Any(t => Has(line, t));
}
