using System.Net.Security;

namespace FleetVpn.Server.Config;

/// <summary>
/// Cipher-suite names of <c>tls-cipher</c> (TLS 1.2) and <c>tls-ciphersuites</c> (TLS 1.3) as .NET's
/// <see cref="TlsCipherSuite"/>. TLS 1.2 takes OpenSSL's names (<c>ECDHE-RSA-AES256-GCM-SHA384</c>) and the IANA
/// names in OpenVPN's spelling (<c>TLS-ECDHE-RSA-WITH-AES-256-GCM-SHA384</c>, its translation table in ssl_openssl.c);
/// only ECDHE suites are offered, since FleetVPN loads no <c>dh</c> parameters and keeps forward secrecy.
/// TLS 1.3 names are the same in OpenSSL and IANA (<c>TLS_AES_256_GCM_SHA384</c>).
/// </summary>
internal static class TlsCipherNames
{
    /// <summary>OpenSSL's TLS 1.3 default, offered when only <c>tls-cipher</c> is given.</summary>
    public static readonly IReadOnlyList<TlsCipherSuite> DefaultTls13 =
    [
        TlsCipherSuite.TLS_AES_256_GCM_SHA384, TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256, TlsCipherSuite.TLS_AES_128_GCM_SHA256,
    ];

    /// <summary>The ECDHE AEAD suites, offered for TLS 1.2 when only <c>tls-ciphersuites</c> is given.</summary>
    public static readonly IReadOnlyList<TlsCipherSuite> DefaultTls12 =
    [
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    ];

    private static readonly Dictionary<string, TlsCipherSuite> OpenSslTls12 = new(StringComparer.Ordinal)
    {
        ["ECDHE-ECDSA-AES256-GCM-SHA384"] = TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        ["ECDHE-RSA-AES256-GCM-SHA384"] = TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        ["ECDHE-ECDSA-AES128-GCM-SHA256"] = TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        ["ECDHE-RSA-AES128-GCM-SHA256"] = TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        ["ECDHE-ECDSA-CHACHA20-POLY1305"] = TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        ["ECDHE-RSA-CHACHA20-POLY1305"] = TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        ["ECDHE-ECDSA-AES256-SHA384"] = TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384,
        ["ECDHE-RSA-AES256-SHA384"] = TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,
        ["ECDHE-ECDSA-AES128-SHA256"] = TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
        ["ECDHE-RSA-AES128-SHA256"] = TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
        ["ECDHE-ECDSA-AES256-SHA"] = TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
        ["ECDHE-RSA-AES256-SHA"] = TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
        ["ECDHE-ECDSA-AES128-SHA"] = TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
        ["ECDHE-RSA-AES128-SHA"] = TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
    };

    private static readonly HashSet<TlsCipherSuite> Tls13 =
    [
        TlsCipherSuite.TLS_AES_128_GCM_SHA256, TlsCipherSuite.TLS_AES_256_GCM_SHA384, TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_AES_128_CCM_SHA256, TlsCipherSuite.TLS_AES_128_CCM_8_SHA256,
    ];

    /// <summary>The TLS 1.2 suite <paramref name="name"/> names, or null when FleetVPN does not know or offer it.</summary>
    public static TlsCipherSuite? FindTls12(string name)
    {
        if (OpenSslTls12.TryGetValue(name, out var suite)) return suite;
        // OpenVPN's IANA spelling (TLS-ECDHE-RSA-WITH-AES-256-GCM-SHA384), limited to the same suites: the enum also
        // holds suites no one should offer (TLS_ECDHE_RSA_WITH_NULL_SHA, RC4, 3DES).
        return ParseIana(name.Replace('-', '_')) is { } iana && OpenSslTls12.ContainsValue(iana) ? iana : null;
    }

    /// <summary>The TLS 1.3 suite <paramref name="name"/> names, or null.</summary>
    public static TlsCipherSuite? FindTls13(string name) => ParseIana(name) is { } suite && Tls13.Contains(suite) ? suite : null;

    /// <summary>Every TLS 1.2 name in OpenSSL's spelling, for error messages.</summary>
    public static IEnumerable<string> KnownTls12Names => OpenSslTls12.Keys;

    /// <summary>Every TLS 1.3 name, for error messages.</summary>
    public static IEnumerable<string> KnownTls13Names => Tls13.Select(s => s.ToString());

    private static TlsCipherSuite? ParseIana(string name) =>
        name.StartsWith("TLS_", StringComparison.Ordinal) && Enum.TryParse<TlsCipherSuite>(name, ignoreCase: false, out var suite)
            && Enum.IsDefined(suite)
            ? suite
            : null;
}
