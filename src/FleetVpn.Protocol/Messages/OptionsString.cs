namespace FleetVpn.Protocol.Messages;

/// <summary>
/// The "OCC" options string of key-method 2 (§5.4, <c>options_string()</c>): comma-separated, starting
/// with V4. For a server it is informational except for what old clients reveal in it
/// (their `cipher`, `auth`, and `comp-lzo` framing).
/// </summary>
public sealed class OptionsString
{
    private readonly Dictionary<string, string> _options = new(StringComparer.Ordinal);

    private OptionsString() { }

    public static OptionsString Parse(string text)
    {
        var result = new OptionsString();
        foreach (var part in text.Split(','))
        {
            int space = part.IndexOf(' ');
            if (space < 0) result._options[part] = "";
            else result._options[part[..space]] = part[(space + 1)..];
        }
        return result;
    }

    public string? Get(string name) => _options.GetValueOrDefault(name);
    public bool Has(string name) => _options.ContainsKey(name);

    /// <summary>The client's configured data cipher (absent in 2.6 clients' strings unless set).</summary>
    public string? Cipher => Get("cipher");

    /// <summary>True when the client has a compression framing context (`comp-lzo` in any form).</summary>
    public bool CompLzo => Has("comp-lzo");

    /// <summary>What FleetVPN tells clients about itself (mirrors a 2.6 server with the same tun settings).</summary>
    public static string ForServer(int tunMtu, int linkMtu, bool compLzo) =>
        $"V4,dev-type tun,link-mtu {linkMtu},tun-mtu {tunMtu},proto UDPv4{(compLzo ? ",comp-lzo" : "")},auth SHA1,keysize 128,key-method 2,tls-server";
}
