using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using FleetVpn.Protocol.Keys;
using FleetVpn.Protocol.Messages;

namespace FleetVpn.ControlChannel;

/// <summary>
/// The client end of one TLS session on the control channel (what the stock OpenVPN client does):
/// <see cref="SslStream"/> over a <see cref="TlsTransportStream"/>, presenting the client certificate and
/// verifying the server's with <see cref="ServerCertificatePolicy"/>; then the key-method-2 exchange
/// (the client writes first, §5.1) and NUL-terminated control messages (PUSH_REQUEST, PUSH_REPLY, …).
/// </summary>
public sealed class TlsClientChannel : IAsyncDisposable
{
    /// <summary>Any string: OpenVPN does not use SNI nor check the host name.</summary>
    public const string TargetHost = "openvpn-server";

    private readonly ClientTlsSettings _settings;
    private readonly TlsTransportStream _transport;
    private readonly SslStream _ssl;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly byte[] _readBuffer = new byte[4096];
    private readonly List<byte> _plaintext = new();
    private readonly ControlMessageReader _commands = new();
    private int _disposed;

    public TlsClientChannel(ClientTlsSettings settings, Action<byte[]> sendCiphertext)
    {
        _settings = settings;
        _transport = new TlsTransportStream(sendCiphertext);
        _ssl = new SslStream(_transport, leaveInnerStreamOpen: false, ValidateServerCertificate);
    }

    /// <summary>Why the server certificate was refused, when it was.</summary>
    public string? RejectionReason { get; private set; }

    public string? TlsDescription => _ssl.IsAuthenticated ? $"{_ssl.SslProtocol}, cipher {_ssl.NegotiatedCipherSuite}" : null;

    /// <summary>Feeds ciphertext the reliability layer delivered in order.</summary>
    public void Deliver(byte[] ciphertext) => _transport.Deliver(ciphertext);

    public Task AuthenticateAsync(CancellationToken cancellation)
    {
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = TargetHost,
            ClientCertificateContext = _settings.CertificateContext,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            EnabledSslProtocols = _settings.Protocols,
            // SslStream's own chain build: offline, against the configured CA only.
            CertificateChainPolicy = _settings.Policy.CreateChainPolicy(DateTime.UtcNow),
        };
        return _ssl.AuthenticateAsClientAsync(options, cancellation);
    }

    /// <summary>Writes the client's key-method-2 message (with pre_master) in one TLS write.</summary>
    public Task SendKeyMethod2Async(KeyMethod2Message message, CancellationToken cancellation)
    {
        if (message.Keys.PreMaster is null) throw new ArgumentException("a client's key-method-2 message carries the pre_master", nameof(message));
        return WriteAsync(message.ToBytes(), cancellation);
    }

    /// <summary>Reads the server's key-method-2 message (no pre_master; it may span several TLS records).</summary>
    public async Task<KeyMethod2Message> ReadKeyMethod2Async(CancellationToken cancellation)
    {
        while (true)
        {
            var status = KeyMethod2Message.TryParse(_plaintext.ToArray(), fromClient: false, out var message, out int consumed);
            if (status == KeyMethod2Message.ParseStatus.Complete)
            {
                _plaintext.RemoveRange(0, consumed);
                return message!;
            }
            if (status == KeyMethod2Message.ParseStatus.Invalid) throw new InvalidDataException("malformed key-method-2 message from the server");
            if (_plaintext.Count > 16384) throw new InvalidDataException("key-method-2 message from the server too long");
            int n = await _ssl.ReadAsync(_readBuffer, cancellation).ConfigureAwait(false);
            if (n == 0) throw new EndOfStreamException("TLS closed before the server's key-method 2");
            _plaintext.AddRange(_readBuffer.AsSpan(0, n));
        }
    }

    /// <summary>Reads control messages until at least one is complete; empty list when TLS closed.</summary>
    public async Task<List<string>> ReadCommandsAsync(CancellationToken cancellation)
    {
        var commands = new List<string>();
        if (_plaintext.Count > 0)
        {
            if (!_commands.Append(_plaintext.ToArray(), commands)) throw new InvalidDataException("control message too long");
            _plaintext.Clear();
        }
        while (commands.Count == 0)
        {
            int n = await _ssl.ReadAsync(_readBuffer, cancellation).ConfigureAwait(false);
            if (n == 0) return commands;
            if (!_commands.Append(_readBuffer.AsSpan(0, n), commands)) throw new InvalidDataException("control message too long");
        }
        return commands;
    }

    /// <summary>Writes one message in one TLS write (OpenVPN reads one record per message).</summary>
    public async Task WriteAsync(byte[] plaintext, CancellationToken cancellation)
    {
        await _writeGate.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            await _ssl.WriteAsync(plaintext, cancellation).ConfigureAwait(false);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Sends one NUL-terminated control message (e.g. <c>PUSH_REQUEST</c>, <c>EXIT</c>).</summary>
    public Task SendCommandAsync(string command, CancellationToken cancellation) =>
        WriteAsync(ControlMessageReader.Encode(command), cancellation);

    private bool ValidateServerCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        var cert = certificate as X509Certificate2 ?? (certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
        X509Certificate2Collection? intermediates = null;
        if (chain is not null && chain.ChainElements.Count > 1)
        {
            intermediates = new X509Certificate2Collection();
            for (int i = 1; i < chain.ChainElements.Count; i++) intermediates.Add(chain.ChainElements[i].Certificate);
        }
        RejectionReason = _settings.Policy.Check(cert, intermediates, DateTime.UtcNow);
        return RejectionReason is null;
    }

    /// <summary>Drops the session without a TLS close_notify (the stock client just forgets it too).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _transport.Complete();
        try { await _ssl.DisposeAsync().ConfigureAwait(false); } catch (Exception) { /* closing a dead session */ }
        _writeGate.Dispose();
    }
}
