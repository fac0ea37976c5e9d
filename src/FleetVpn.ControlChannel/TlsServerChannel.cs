using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using FleetVpn.Protocol.Keys;

namespace FleetVpn.ControlChannel;

/// <summary>
/// The server end of one TLS session on the control channel: a client certificate is required and
/// checked with <see cref="ClientCertificatePolicy"/>; the client writes its key-method-2 message first.
/// </summary>
public sealed class TlsServerChannel : TlsChannel
{
    private readonly ServerTlsSettings _settings;

    public TlsServerChannel(ServerTlsSettings settings, Action<byte[]> sendCiphertext)
        : base(sendCiphertext)
    {
        _settings = settings;
    }

    /// <summary>Why the client certificate was refused, when it was.</summary>
    public string? RejectionReason { get; private set; }

    /// <summary>The client's certificate once authenticated; disposed with the channel.</summary>
    public X509Certificate2? ClientCertificate { get; private set; }

    public async Task AuthenticateAsync(CancellationToken cancellation)
    {
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = _settings.CertificateContext,
            ClientCertificateRequired = true,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            EnabledSslProtocols = _settings.Protocols,
            CipherSuitesPolicy = _settings.CipherSuites,
            // No resumption: each key negotiation is a full handshake on a new TLS session, so a session cache
            // would only hold sessions (with their client certificates) that nobody resumes.
            AllowTlsResume = false,
            CertificateChainPolicy = _settings.Policy.ChainPolicy(),
            RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
            {
                RejectionReason = _settings.Policy.Check(OwnPeerCertificate(certificate), DateTime.UtcNow, chain);
                return RejectionReason is null;
            },
        };
        await Ssl.AuthenticateAsServerAsync(options, cancellation).ConfigureAwait(false);
        ClientCertificate = OwnPeerCertificate(Ssl.RemoteCertificate);
    }

    /// <summary>Reads the client's key-method-2 message.</summary>
    public Task<KeyMethod2Message> ReadKeyMethod2Async(CancellationToken cancellation) =>
        ReadKeyMethod2Async(fromClient: true, cancellation);
}
