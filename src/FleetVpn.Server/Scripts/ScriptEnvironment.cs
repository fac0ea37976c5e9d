using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Numerics;
using System.Security.Cryptography;
using FleetVpn.Server.Config;
using FleetVpn.Server.Routing;

namespace FleetVpn.Server.Scripts;

/// <summary>
/// The environment variables OpenVPN 2.6 gives its server-side scripts (doc/man-sections/script-options.rst, "Environmental
/// Variables"), built for one script run. <c>untrusted_ip</c>/<c>untrusted_port</c> name the client's address before it
/// is authenticated (all three scripts), <c>trusted_ip</c>/<c>trusted_port</c> once it is (client-connect and
/// client-disconnect); an IPv6 client has the <c>*_ip6</c> names instead. <c>time_unix</c>/<c>time_ascii</c> are when the
/// client's session began; client-disconnect adds <c>bytes_received</c>, <c>bytes_sent</c> and <c>time_duration</c>.
/// The certificate variables (<c>tls_serial_0</c>, <c>X509_0_CN</c>, ...) describe the client's own certificate (depth 0)
/// and are there while its TLS session is (not for client-disconnect: an idle client keeps no certificate).
/// </summary>
public static class ScriptEnvironment
{
    public const string UserPassVerify = "user-pass-verify";
    public const string ClientConnect = "client-connect";
    public const string ClientDisconnect = "client-disconnect";

    /// <summary>The variables for a <paramref name="scriptType"/> run (one of the constants above).</summary>
    /// <param name="device">The server's tun device name (<c>dev</c>).</param>
    /// <param name="withPassword">user-pass-verify via-env: the password goes in the environment too.</param>
    public static Dictionary<string, string> Build(string scriptType, ScriptClient client, ServerOptions options, string device,
        string? password = null, DateTimeOffset? now = null)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["script_type"] = scriptType,
            ["script_context"] = "init",
            ["daemon"] = "0",
            ["daemon_log_redirect"] = "0",
            ["verb"] = Invariant(options.Verb),
            ["dev"] = device,
            ["dev_type"] = "tun",
            ["tun_mtu"] = Invariant(options.TunMtu),
            ["proto_1"] = "udp",
            ["local_port_1"] = Invariant(options.Port),
            ["ifconfig_local"] = AddressPool.ToAddress(AddressPool.ToUInt32(options.ServerNetwork) + 1).ToString(),
            ["ifconfig_netmask"] = options.ServerNetmask.ToString(),
            ["common_name"] = client.CommonName,
            ["time_unix"] = Invariant(client.ConnectedSince.ToUnixTimeSeconds()),
            // ctime()'s format, as OpenVPN writes it (local time, no trailing newline).
            ["time_ascii"] = client.ConnectedSince.ToLocalTime().ToString("ddd MMM d HH:mm:ss yyyy", CultureInfo.InvariantCulture),
        };
        if (options.Local is { } local) env["local_1"] = local.ToString();

        var (address, port, suffix) = Describe(client.RemoteEndPoint);
        env[$"untrusted_ip{suffix}"] = address;
        env["untrusted_port"] = port;
        if (scriptType != UserPassVerify)
        {
            env[$"trusted_ip{suffix}"] = address;
            env["trusted_port"] = port;
        }
        if (client.Username is { Length: > 0 } username) env["username"] = username;
        if (password is not null) env["password"] = password;

        if (client.VirtualAddress != 0)
        {
            env["ifconfig_pool_remote_ip"] = AddressPool.ToAddress(client.VirtualAddress).ToString();
            env["ifconfig_pool_netmask"] = AddressPool.ToAddress(client.VirtualNetmask).ToString();
        }
        if (client.Certificate is { } certificate)
        {
            var serial = certificate.SerialNumberBytes.Span;
            env["tls_serial_0"] = new BigInteger(serial, isUnsigned: false, isBigEndian: true).ToString(CultureInfo.InvariantCulture);
            env["tls_serial_hex_0"] = ColonHex(serial);
            env["tls_digest_0"] = ColonHex(certificate.GetCertHash(HashAlgorithmName.SHA1));
            env["tls_digest_sha256_0"] = ColonHex(certificate.GetCertHash(HashAlgorithmName.SHA256));
            env["tls_id_0"] = certificate.Subject;
            env["X509_0_CN"] = FleetVpn.ControlChannel.ClientCertificatePolicy.CommonName(certificate);
        }
        foreach (var (name, value) in PeerInfoVariables(client.PeerInfo)) env[name] = value;

        if (scriptType == ClientDisconnect)
        {
            env["bytes_received"] = Invariant(client.BytesReceived);
            env["bytes_sent"] = Invariant(client.BytesSent);
            var end = now ?? DateTimeOffset.UtcNow;
            env["time_duration"] = Invariant(Math.Max(0, (long)(end - client.ConnectedSince).TotalSeconds));
        }
        return env;
    }

    /// <summary>
    /// The client's IV_ and UV_ peer-info lines as variables, as OpenVPN exports them: names of letters, digits and '_'
    /// only, control characters in values replaced by '_' (a client must not smuggle a line break into a script).
    /// </summary>
    public static IEnumerable<(string Name, string Value)> PeerInfoVariables(string peerInfo)
    {
        foreach (var line in peerInfo.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = line.IndexOf('=');
            if (equals <= 3) continue;
            var name = line[..equals];
            if (!(name.StartsWith("IV_", StringComparison.Ordinal) || name.StartsWith("UV_", StringComparison.Ordinal))) continue;
            if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')) continue;
            var value = string.Create(line.Length - equals - 1, line[(equals + 1)..], static (span, text) =>
            {
                for (int i = 0; i < text.Length; i++) span[i] = char.IsControl(text[i]) ? '_' : text[i];
            });
            yield return (name, value);
        }
    }

    /// <summary>
    /// A client's username as scripts see it: OpenVPN lets letters, digits, '_', '-', '.' and '@' through and turns
    /// anything else into '_' (a username never reaches a script with a quote, a space or a line break in it).
    /// </summary>
    public static string SafeUsername(string username) => Replace(username, c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '@');

    /// <summary>A client's password as scripts see it: any printable character; control characters (CR, LF, ...) become '_'.</summary>
    public static string SafePassword(string password) => Replace(password, c => !char.IsControl(c));

    private static string Replace(string text, Func<char, bool> allowed) =>
        string.Create(text.Length, (text, allowed), static (span, state) =>
        {
            for (int i = 0; i < state.text.Length; i++) span[i] = state.allowed(state.text[i]) ? state.text[i] : '_';
        });

    private static (string Address, string Port, string Suffix) Describe(IPEndPoint endPoint)
    {
        var address = endPoint.Address.IsIPv4MappedToIPv6 ? endPoint.Address.MapToIPv4() : endPoint.Address;
        var suffix = address.AddressFamily == AddressFamily.InterNetworkV6 ? "6" : "";
        return (address.ToString(), Invariant(endPoint.Port), suffix);
    }

    /// <summary>"d9:d6:bc:..." (lower case, colon separated), as OpenVPN prints serials and digests.</summary>
    private static string ColonHex(ReadOnlySpan<byte> bytes) => string.Join(':', bytes.ToArray().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
