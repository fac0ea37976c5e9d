using FleetVpn.Protocol.DataChannel;

namespace FleetVpn.Server.Config;

/// <summary>
/// <c>data-ciphers</c> (alias <c>ncp-ciphers</c>), <c>data-ciphers-fallback</c> and <c>cipher</c> as an
/// OpenVPN 2.6 server reads them. Names are checked against what FleetVPN implements
/// (<see cref="DataCipher.FindAny"/>: the three AEADs plus AES-256-CBC and AES-128-CBC) and stored in
/// OpenVPN's canonical upper-case spelling.
/// <para>
/// In 2.6, <c>cipher X</c> and <c>data-ciphers-fallback X</c> both write <c>options-&gt;ciphername</c>
/// (<c>add_option()</c> in options.c); only <c>data-ciphers-fallback</c> also sets
/// <c>enable_ncp_fallback</c>. On a server, <c>options_postprocess_cipher()</c> then leaves
/// <c>cipher X</c> out of negotiation: when X is not in data-ciphers it merely warns "OpenVPN ignores
/// --cipher for cipher negotiations"; X is appended to data-ciphers only under <c>--compat-mode</c>
/// older than 2.5.0 (<c>options_set_backwards_compatible_options()</c>, which FleetVPN does not
/// support), and <c>multi_client_set_protocol_options()</c> in multi.c uses ciphername as the fallback
/// only when <c>enable_ncp_fallback</c> is set. So here, too, <c>cipher</c> alone changes nothing,
/// and the fallback is whichever of <c>cipher</c> / <c>data-ciphers-fallback</c> came last,
/// provided <c>data-ciphers-fallback</c> appeared at all.
/// </para>
/// </summary>
internal sealed class CipherDirectives
{
    /// <summary>Why BF-CBC is refused wherever a cipher is named.</summary>
    public const string BlowfishReason = "BF-CBC is not supported (64-bit block cipher, SWEET32; .NET has no Blowfish)";

    private string? _cipherName;
    private bool _ncpFallback;

    /// <summary>The <c>data-ciphers-fallback</c> cipher (canonical name), or null when none was configured.</summary>
    public string? Fallback => _ncpFallback ? _cipherName : null;

    /// <summary>
    /// The ciphers of <c>data-ciphers A:B:C</c> in order, duplicates dropped. As in 2.6's
    /// <c>mutate_ncp_cipher_list()</c> in ssl_ncp.c, a '?' prefix marks a cipher as optional: an
    /// optional cipher FleetVPN lacks (?BF-CBC included) is dropped instead of refused.
    /// </summary>
    public static IReadOnlyList<string> ParseDataCiphers(ConfigDirective directive)
    {
        var ciphers = new List<string>();
        foreach (var entry in DirectiveArguments.Single(directive).Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var optional = entry.StartsWith('?');
            var name = optional ? entry[1..] : entry;
            if (DataCipher.FindAny(name) is { } cipher)
            {
                if (!ciphers.Contains(cipher.Name)) ciphers.Add(cipher.Name);
            }
            else if (!optional)
            {
                throw directive.Error(UnsupportedReason(name));
            }
        }
        if (ciphers.Count == 0) throw directive.Error("the list names no cipher FleetVPN supports");
        return ciphers;
    }

    /// <summary><c>data-ciphers-fallback NAME</c>: the cipher for clients that negotiate nothing.</summary>
    public void ApplyFallback(ConfigDirective directive)
    {
        _cipherName = CanonicalName(directive, DirectiveArguments.Single(directive));
        _ncpFallback = true;
    }

    /// <summary><c>cipher NAME</c>: validated; becomes the fallback only together with <c>data-ciphers-fallback</c> (see the class summary).</summary>
    public void ApplyCipher(ConfigDirective directive) =>
        _cipherName = CanonicalName(directive, DirectiveArguments.Single(directive));

    private static string CanonicalName(ConfigDirective directive, string name) =>
        DataCipher.FindAny(name)?.Name ?? throw directive.Error(UnsupportedReason(name));

    private static string UnsupportedReason(string name)
    {
        if (string.Equals(name, "BF-CBC", StringComparison.OrdinalIgnoreCase)) return BlowfishReason;
        if (name == "none") return "cipher 'none' is not supported (FleetVPN never sends tunnel data unencrypted)";
        var supported = string.Join(", ", DataCipher.All.Concat(DataCipher.CbcHmac).Select(c => c.Name));
        return $"cipher '{name}' is not supported yet (FleetVPN supports {supported})";
    }
}
