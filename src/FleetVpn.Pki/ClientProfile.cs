using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace FleetVpn.Pki;

/// <summary>
/// A client's .ovpn profile with everything inline: <c>client</c>, <c>dev tun</c>, <c>proto udp</c>,
/// <c>remote HOST PORT</c>, <c>nobind</c>, <c>remote-cert-tls server</c>, <c>verb 3</c>, then
/// <c>&lt;ca&gt;</c>, <c>&lt;cert&gt;</c>, <c>&lt;key&gt;</c> and, when given, <c>&lt;tls-crypt&gt;</c>.
/// </summary>
public static class ClientProfile
{
    /// <summary>The profile of client <paramref name="commonName"/> of <paramref name="ca"/>'s directory.</summary>
    public static string Render(CertificateAuthority ca, string commonName, RemoteEndpoint remote, string? tlsCryptPath = null)
    {
        PkiNames.ValidateCommonName(commonName);
        var certPath = ca.Layout.CertificatePath(commonName);
        var keyPath = ca.Layout.KeyPath(commonName);
        if (!File.Exists(certPath))
            throw new PkiException($"no certificate for '{commonName}' ({certPath} not found)");
        if (!File.Exists(keyPath))
            throw new PkiException($"no private key for '{commonName}' ({keyPath} not found)");

        var certText = File.ReadAllText(certPath);
        using (var certificate = LoadCertificate(certText, certPath))
        {
            var eku = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
            if (eku is null || !eku.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == CertificateProfiles.ClientAuthOid))
                throw new PkiException($"'{commonName}' is not a client certificate (no clientAuth extended key usage)");
        }

        string? tlsCrypt = null;
        if (tlsCryptPath is not null)
        {
            if (!File.Exists(tlsCryptPath)) throw new PkiException($"tls-crypt key {tlsCryptPath} not found");
            tlsCrypt = StaticKeyFile.ExtractBlock(File.ReadAllText(tlsCryptPath), tlsCryptPath);
        }

        var text = new StringBuilder()
            .Append("# ").Append(commonName).Append(": OpenVPN client profile written by fleetvpn pki client-config\n")
            .Append("client\n")
            .Append("dev tun\n")
            .Append("proto udp\n")
            .Append("remote ").Append(remote.Host).Append(' ').Append(remote.Port.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append("nobind\n")
            .Append("remote-cert-tls server\n")
            .Append("verb 3\n");
        AppendInline(text, "ca", PemBlocks(File.ReadAllText(ca.Layout.CaCertificatePath)));
        AppendInline(text, "cert", PemBlocks(certText));
        AppendInline(text, "key", PemBlocks(File.ReadAllText(keyPath)));
        if (tlsCrypt is not null) AppendInline(text, "tls-crypt", tlsCrypt);
        return text.ToString();
    }

    private static void AppendInline(StringBuilder text, string tag, string body) =>
        text.Append('<').Append(tag).Append(">\n").Append(body).Append("</").Append(tag).Append(">\n");

    /// <summary>The PEM blocks of a file (from the first BEGIN line to the last END line), ending with a newline.</summary>
    private static string PemBlocks(string text)
    {
        text = text.Replace("\r", "", StringComparison.Ordinal);
        var begin = text.IndexOf("-----BEGIN ", StringComparison.Ordinal);
        var lastEnd = text.LastIndexOf("-----END ", StringComparison.Ordinal);
        if (begin < 0 || lastEnd < 0) return text.TrimEnd('\n') + "\n";
        var close = text.IndexOf('\n', lastEnd);
        return (close < 0 ? text[begin..] : text[begin..close]) + "\n";
    }

    private static X509Certificate2 LoadCertificate(string pem, string path)
    {
        try
        {
            return X509Certificate2.CreateFromPem(pem);
        }
        catch (CryptographicException e)
        {
            throw new PkiException($"{path}: not a PEM certificate ({e.Message})", e);
        }
    }
}

/// <summary>The <c>remote</c> of a client profile: a host name or address and a UDP port.</summary>
public sealed record RemoteEndpoint(string Host, int Port)
{
    /// <summary>Parses <c>HOST:PORT</c> (an IPv6 address in brackets: <c>[2001:db8::1]:1194</c>).</summary>
    public static RemoteEndpoint Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string host, port;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf("]:", StringComparison.Ordinal);
            if (close < 0) throw new PkiException($"--remote '{text}': write an IPv6 address as [ADDRESS]:PORT");
            host = text[1..close];
            port = text[(close + 2)..];
            if (!IPAddress.TryParse(host, out var v6) || v6.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
                throw new PkiException($"--remote '{text}': '{host}' is not an IPv6 address");
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon < 0 || text.IndexOf(':') != colon)
                throw new PkiException($"--remote '{text}': expected HOST:PORT (e.g. vpn.example.com:1194)");
            host = text[..colon];
            port = text[(colon + 1)..];
            if (host.Length == 0 || host.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_')))
                throw new PkiException($"--remote '{text}': '{host}' is not a host name or IPv4 address");
        }
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65535)
            throw new PkiException($"--remote '{text}': the port must be a number from 1 to 65535");
        return new RemoteEndpoint(host, number);
    }
}
