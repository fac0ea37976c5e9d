using System.Text;

namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A server.conf for swarm runs: a /16 pool (room for more than 253 clients), <c>max-clients</c> above the
/// swarm's size, the <see cref="SwarmTestPki"/> certificates, and <c>connect-freq-initial</c> raised (its default,
/// OpenVPN's, answers only 100 new clients per 10 s); for FleetVPN no per-source share either (a swarm comes from one address).
/// </summary>
public sealed record SwarmServerConfig
{
    public int Port { get; init; } = ServerConfig.DefaultPort;
    public int MaxClients { get; init; } = 1000;
    public string? TlsCryptKeyPath { get; init; }
    public string? TlsAuthKeyPath { get; init; }
    public IReadOnlyList<string> Extra { get; init; } = [];

    public string Render(ServerKind kind, SwarmTestPki pki, string statusPath)
    {
        var text = new StringBuilder()
            .AppendLine("# written by the FleetVPN swarm end-to-end tests")
            .AppendLine("proto udp")
            .AppendLine($"port {Port}")
            .AppendLine("dev tun")
            .AppendLine("topology subnet")
            .AppendLine("server 10.8.0.0 255.255.0.0")
            .AppendLine("keepalive 10 120")
            .AppendLine("persist-key")
            .AppendLine("persist-tun")
            .AppendLine($"ca {pki.CaPath}")
            .AppendLine($"cert {pki.ServerCertificatePath}")
            .AppendLine($"key {pki.ServerKeyPath}")
            .AppendLine("dh none")
            .AppendLine($"data-ciphers {ServerConfig.AllCiphers}")
            .AppendLine("remote-cert-tls client")
            .AppendLine($"max-clients {MaxClients}")
            .AppendLine($"status {statusPath} 2")
            .AppendLine("verb 3");
        text.AppendLine("connect-freq-initial 100000 10");
        if (kind == ServerKind.FleetVpn) text.AppendLine("connect-freq-per-source 0");
        if (TlsCryptKeyPath is not null) text.AppendLine($"tls-crypt {TlsCryptKeyPath}");
        if (TlsAuthKeyPath is not null) text.AppendLine($"tls-auth {TlsAuthKeyPath} 0");
        foreach (var line in Extra) text.AppendLine(line);
        return text.ToString();
    }
}
