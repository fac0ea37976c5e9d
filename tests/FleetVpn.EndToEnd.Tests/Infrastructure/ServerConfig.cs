using System.Text;

namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A server.conf for the tests, written only with directives FleetVPN supports (the same file
/// runs the stock openvpn server as a stand-in). Paths are absolute, so no --cd is needed.
/// </summary>
public sealed record ServerConfig
{
    public const int DefaultPort = 1194;
    public const string AllCiphers = "AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305";

    public int Port { get; init; } = DefaultPort;
    public string DataCiphers { get; init; } = AllCiphers;
    public int? MaxClients { get; init; }
    public int Verb { get; init; } = 3;

    /// <summary>Seconds between rewrites of the status file (<c>status FILE N</c>).</summary>
    public int StatusInterval { get; init; } = 2;

    /// <summary>Further directives, one a line, written after the common ones (e.g. <c>tls-auth FILE 0</c>, <c>reneg-sec 10</c>).</summary>
    public IReadOnlyList<string> Extra { get; init; } = [];

    /// <summary>
    /// Write <c>local &lt;server veth address&gt;</c>, binding the server to that one address.
    /// Off by default (the server then listens on all addresses of its own namespace), so that
    /// only the test dedicated to <c>local</c> depends on it.
    /// </summary>
    public bool BindLocalAddress { get; init; }

    public string Render(TestPki pki, string localAddress, string statusPath)
    {
        var text = new StringBuilder()
            .AppendLine("# written by the FleetVPN end-to-end tests")
            .AppendLine("proto udp")
            .AppendLine($"port {Port}")
            .AppendLine("dev tun")
            .AppendLine("topology subnet")
            .AppendLine("server 10.8.0.0 255.255.255.0")
            .AppendLine("keepalive 10 120")
            .AppendLine("persist-key")
            .AppendLine("persist-tun")
            .AppendLine($"ca {pki.CaPath}")
            .AppendLine($"cert {pki.Server.CertificatePath}")
            .AppendLine($"key {pki.Server.KeyPath}")
            .AppendLine("dh none")
            .AppendLine($"data-ciphers {DataCiphers}")
            .AppendLine("remote-cert-tls client")
            .AppendLine($"status {statusPath} {StatusInterval}")
            .AppendLine($"verb {Verb}");
        if (MaxClients is { } max) text.AppendLine($"max-clients {max}");
        if (BindLocalAddress) text.AppendLine($"local {localAddress}");
        foreach (var line in Extra) text.AppendLine(line);
        return text.ToString();
    }
}
