using System.Net.Security;
using System.Security.Authentication;

namespace FleetVpn.Server.Config;

/// <summary>
/// <c>tls-version-min</c>, <c>tls-cipher</c>, <c>tls-ciphersuites</c>, <c>tls-groups</c> and <c>ecdh-curve</c>: what the
/// server's TLS offers, as far as .NET's <see cref="SslStream"/> lets it be chosen. Versions and suites are honoured
/// (<see cref="SslServerAuthenticationOptions.EnabledSslProtocols"/>, <see cref="CipherSuitesPolicy"/>); .NET 10 has no
/// API for key-exchange groups, so <c>tls-groups</c> is accepted only when it asks for what is offered anyway, and
/// <c>ecdh-curve</c> is ignored with a warning, as OpenVPN 2.6 built with OpenSSL 3 ignores it.
/// </summary>
internal sealed class TlsPolicyDirectives
{
    /// <summary>OpenSSL 3.0's default ECDHE groups: what the server offers, since .NET cannot change them.</summary>
    public static readonly IReadOnlyList<string> DefaultGroups = ["X25519", "secp256r1", "X448", "secp521r1", "secp384r1"];

    private static readonly Dictionary<string, string> GroupAliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["X25519"] = "X25519", ["X448"] = "X448",
        ["secp256r1"] = "secp256r1", ["prime256v1"] = "secp256r1", ["P-256"] = "secp256r1",
        ["secp384r1"] = "secp384r1", ["P-384"] = "secp384r1",
        ["secp521r1"] = "secp521r1", ["P-521"] = "secp521r1",
    };

    private List<TlsCipherSuite>? _tls12;
    private List<TlsCipherSuite>? _tls13;

    /// <summary>The TLS versions offered: 1.2 and 1.3 unless <c>tls-version-min 1.3</c>.</summary>
    public SslProtocols Protocols { get; private set; } = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary><c>tls-version-min V [or-highest]</c> (<c>tls_version_parse()</c> in ssl.c: an unknown V with or-highest means the highest known).</summary>
    public void ApplyVersionMin(ConfigDirective directive)
    {
        var arguments = DirectiveArguments.Expect(directive, 1, 2);
        if (arguments.Count == 2 && arguments[1] != "or-highest")
            throw directive.Error($"'{arguments[1]}' is not a flag of tls-version-min (only 'or-highest')");
        var orHighest = arguments.Count == 2;
        Protocols = arguments[0] switch
        {
            // FleetVPN never offers less than TLS 1.2, so a lower minimum is met as it is.
            "1.0" or "1.1" or "1.2" => SslProtocols.Tls12 | SslProtocols.Tls13,
            "1.3" => SslProtocols.Tls13,
            _ when orHighest => SslProtocols.Tls13,
            _ => throw directive.Error($"unknown TLS version '{arguments[0]}' (1.0, 1.1, 1.2 or 1.3; add 'or-highest' to fall back to the highest)"),
        };
    }

    /// <summary><c>tls-cipher A:B:C</c>: the TLS 1.2 suites, in OpenSSL's names (or OpenVPN's IANA spelling).</summary>
    public void ApplyCipher(ConfigDirective directive) =>
        _tls12 = ParseList(directive, TlsCipherNames.FindTls12,
            name => $"unknown or unsupported TLS 1.2 cipher suite '{name}' (FleetVPN offers the ECDHE suites {string.Join(", ", TlsCipherNames.KnownTls12Names)})");

    /// <summary><c>tls-ciphersuites A:B</c>: the TLS 1.3 suites.</summary>
    public void ApplyCipherSuites(ConfigDirective directive) =>
        _tls13 = ParseList(directive, TlsCipherNames.FindTls13,
            name => $"unknown TLS 1.3 cipher suite '{name}' (known: {string.Join(", ", TlsCipherNames.KnownTls13Names)})");

    /// <summary><c>tls-groups A:B</c>: accepted only as the groups offered anyway (.NET cannot choose them).</summary>
    public static void ApplyGroups(ConfigDirective directive)
    {
        var asked = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in DirectiveArguments.Single(directive).Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!GroupAliases.TryGetValue(name, out var canonical))
                throw directive.Error($"not supported: group '{name}'. {GroupsNotSelectable}");
            asked.Add(canonical);
        }
        if (!asked.SetEquals(DefaultGroups)) throw directive.Error($"not supported: this set of groups. {GroupsNotSelectable}");
    }

    /// <summary><c>ecdh-curve NAME</c>: ignored with a warning, as in OpenVPN 2.6 built with OpenSSL 3 (<c>tls_ctx_load_ecdh_params()</c>).</summary>
    public static string ApplyEcdhCurve(ConfigDirective directive)
    {
        var curve = DirectiveArguments.Single(directive);
        return $"{directive.Location}: '{directive}': ignored, as OpenVPN 2.6 with OpenSSL 3 ignores it: the server offers the default groups " +
               $"({string.Join(':', DefaultGroups)}), not only {curve}; .NET cannot restrict them (remove the line to silence this warning)";
    }

    /// <summary>The suites to offer, TLS 1.2 then 1.3; null when neither directive was given (the TLS library's defaults).</summary>
    public IReadOnlyList<TlsCipherSuite>? CipherSuites()
    {
        if (_tls12 is null && _tls13 is null) return null;
        return [.. _tls12 ?? TlsCipherNames.DefaultTls12, .. _tls13 ?? TlsCipherNames.DefaultTls13];
    }

    private const string GroupsNotSelectable =
        ".NET 10's SslStream has no API to choose TLS key-exchange groups, so the server offers the TLS library's defaults; " +
        "'tls-groups' is accepted only as X25519:secp256r1:X448:secp521r1:secp384r1 (any order), or remove it";

    private static List<TlsCipherSuite> ParseList(ConfigDirective directive, Func<string, TlsCipherSuite?> find, Func<string, string> unknown)
    {
        var text = DirectiveArguments.Single(directive);
        var suites = new List<TlsCipherSuite>();
        foreach (var name in text.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            if (name.Length > 0 && (name[0] is '!' or '+' or '-' or '@' || name is "DEFAULT" or "ALL" or "HIGH" or "MEDIUM" or "LOW"))
                throw directive.Error($"OpenSSL cipher-string keyword '{name}' is not supported: list the cipher suites by name");
            var suite = find(name) ?? throw directive.Error(unknown(name));
            if (!suites.Contains(suite)) suites.Add(suite);
        }
        if (suites.Count == 0) throw directive.Error("the list names no cipher suite");
        return suites;
    }
}
