using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using FleetVpn.Protocol.Keys;

namespace FleetVpn.ControlChannel;

/// <summary>
/// The client end of one TLS session on the control channel (what the stock OpenVPN client does):
/// presents the client certificate, verifies the server's with <see cref="ServerCertificatePolicy"/>,
/// and writes its key-method-2 message first (§5.1).
/// </summary>
public sealed class TlsClientChannel : TlsChannel
{
    /// <summary>Any string: OpenVPN does not use SNI nor check the host name.</summary>
    public const string TargetHost = "openvpn-server";

    private readonly ClientTlsSettings _settings;

    public TlsClientChannel(ClientTlsSettings settings, Action<byte[]> sendCiphertext) : base(sendCiphertext)
    {
        _settings = settings;
    }

    /// <summary>Why the server certificate was refused, when it was.</summary>
    public string? RejectionReason { get; private set; }

    public Task AuthenticateAsync(CancellationToken cancellation)
    {
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = TargetHost,
            ClientCertificateContext = _settings.CertificateContext,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            EnabledSslProtocols = _settings.Protocols,
            // Every key negotiation is a full handshake: a resumption cache would only hold sessions nobody resumes.
            AllowTlsResume = false,
            // SslStream's own chain build: offline, against the configured CA only.
            CertificateChainPolicy = _settings.Policy.CreateChainPolicy(DateTime.UtcNow),
            RemoteCertificateValidationCallback = ValidateServerCertificate,
        };
        return Ssl.AuthenticateAsClientAsync(options, cancellation);
    }

    /// <summary>Writes the client's key-method-2 message (with pre_master) in one TLS write.</summary>
    public Task SendKeyMethod2Async(KeyMethod2Message message, CancellationToken cancellation)
    {
        if (message.Keys.PreMaster is null) throw new ArgumentException("a client's key-method-2 message carries the pre_master", nameof(message));
        return WriteAsync(message.ToBytes(), cancellation);
    }

    /// <summary>Reads the server's key-method-2 message (no pre_master).</summary>
    public Task<KeyMethod2Message> ReadKeyMethod2Async(CancellationToken cancellation) =>
        ReadKeyMethod2Async(fromClient: false, cancellation);

    private bool ValidateServerCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        var cert = OwnPeerCertificate(certificate);
        X509Certificate2Collection? intermediates = null;
        if (chain is not null && chain.ChainElements.Count > 1)
        {
            intermediates = new X509Certificate2Collection();
            for (int i = 1; i < chain.ChainElements.Count; i++) intermediates.Add(chain.ChainElements[i].Certificate);
        }
        RejectionReason = _settings.Policy.Check(cert, intermediates, DateTime.UtcNow);
        return RejectionReason is null;
    }
}
