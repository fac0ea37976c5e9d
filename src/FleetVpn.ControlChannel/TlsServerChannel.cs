using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using FleetVpn.Protocol.Keys;
using FleetVpn.Protocol.Messages;

namespace FleetVpn.ControlChannel;

/// <summary>
/// The server end of one TLS session on the control channel: <see cref="SslStream"/> over a
/// <see cref="TlsTransportStream"/>. Exposes the steps the engine runs in order: handshake with a
/// verified client certificate, the key-method-2 exchange, then NUL-terminated control messages.
/// </summary>
public sealed class TlsServerChannel : IAsyncDisposable
{
    private readonly ServerTlsSettings _settings;
    private readonly TlsTransportStream _transport;
    private readonly SslStream _ssl;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly byte[] _readBuffer = new byte[4096];
    private readonly List<byte> _plaintext = new();
    private readonly ControlMessageReader _commands = new();

    public TlsServerChannel(ServerTlsSettings settings, Action<byte[]> sendCiphertext)
    {
        _settings = settings;
        _transport = new TlsTransportStream(sendCiphertext);
        _ssl = new SslStream(_transport, leaveInnerStreamOpen: false, ValidateClientCertificate);
    }

    /// <summary>Why the client certificate was refused, when it was.</summary>
    public string? RejectionReason { get; private set; }

    public X509Certificate2? ClientCertificate { get; private set; }

    public string? TlsDescription => _ssl.IsAuthenticated ? $"{_ssl.SslProtocol}, cipher {_ssl.NegotiatedCipherSuite}" : null;

    /// <summary>Feeds ciphertext the reliability layer delivered in order.</summary>
    public void Deliver(byte[] ciphertext) => _transport.Deliver(ciphertext);

    public async Task AuthenticateAsync(CancellationToken cancellation)
    {
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = _settings.CertificateContext,
            ClientCertificateRequired = true,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            EnabledSslProtocols = _settings.Protocols,
        };
        await _ssl.AuthenticateAsServerAsync(options, cancellation).ConfigureAwait(false);
        ClientCertificate = _ssl.RemoteCertificate as X509Certificate2 ?? (_ssl.RemoteCertificate is { } c ? new X509Certificate2(c) : null);
    }

    /// <summary>Reads the client's key-method-2 message (it may span several TLS records).</summary>
    public async Task<KeyMethod2Message> ReadKeyMethod2Async(CancellationToken cancellation)
    {
        while (true)
        {
            var status = KeyMethod2Message.TryParse(_plaintext.ToArray(), fromClient: true, out var message, out int consumed);
            if (status == KeyMethod2Message.ParseStatus.Complete)
            {
                _plaintext.RemoveRange(0, consumed);
                return message!;
            }
            if (status == KeyMethod2Message.ParseStatus.Invalid) throw new InvalidDataException("malformed key-method-2 message");
            if (_plaintext.Count > 16384) throw new InvalidDataException("key-method-2 message too long");
            int n = await _ssl.ReadAsync(_readBuffer, cancellation).ConfigureAwait(false);
            if (n == 0) throw new EndOfStreamException("TLS closed before key-method 2");
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

    public Task SendCommandAsync(string command, CancellationToken cancellation) =>
        WriteAsync(ControlMessageReader.Encode(command), cancellation);

    private bool ValidateClientCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        var cert = certificate as X509Certificate2 ?? (certificate is null ? null : new X509Certificate2(certificate));
        RejectionReason = _settings.Policy.Check(cert, DateTime.UtcNow);
        return RejectionReason is null;
    }

    public async ValueTask DisposeAsync()
    {
        _transport.Complete();
        try { await _ssl.DisposeAsync().ConfigureAwait(false); } catch (Exception) { /* closing a dead session */ }
        _writeGate.Dispose();
    }
}
