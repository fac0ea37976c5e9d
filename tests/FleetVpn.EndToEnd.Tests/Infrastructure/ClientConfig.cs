using System.Text;

namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>A configuration for the real openvpn 2.6 client, one per client process.</summary>
public sealed record ClientConfig
{
    /// <summary>The client's certificate and key.</summary>
    public required CertificateFiles Identity { get; init; }

    /// <summary>Name of the client's tun device in the client namespace (at most 15 characters).</summary>
    public string Device { get; init; } = "fvc0";

    /// <summary>When set, the only data ciphers the client offers (<c>data-ciphers</c>).</summary>
    public string? DataCiphers { get; init; }

    /// <summary>The client's <c>verb</c> (4 logs the PUSH_REPLY it receives).</summary>
    public int Verb { get; init; } = 3;

    /// <summary>Further directives, one a line.</summary>
    public IReadOnlyList<string> Extra { get; init; } = [];

    public string Render(TestPki pki, string remoteAddress, int port)
    {
        var text = new StringBuilder()
            .AppendLine("# written by the FleetVPN end-to-end tests")
            .AppendLine("client")
            .AppendLine($"dev {Device}")
            .AppendLine("dev-type tun")
            .AppendLine("proto udp")
            .AppendLine($"remote {remoteAddress} {port}")
            .AppendLine("nobind")
            .AppendLine("remote-cert-tls server")
            .AppendLine($"ca {pki.CaPath}")
            .AppendLine($"cert {Identity.CertificatePath}")
            .AppendLine($"key {Identity.KeyPath}")
            // Retry quickly after a failed attempt, so that short test timeouts are enough.
            .AppendLine("connect-retry 1 2")
            .AppendLine($"verb {Verb}");
        if (DataCiphers is not null) text.AppendLine($"data-ciphers {DataCiphers}");
        foreach (var line in Extra) text.AppendLine(line);
        return text.ToString();
    }
}
