using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using FleetVpn.Protocol.Keys;
using FleetVpn.Protocol.Messages;

namespace FleetVpn.ControlChannel;

/// <summary>
/// One TLS session on the control channel, either role: <see cref="SslStream"/> over a
/// <see cref="TlsTransportStream"/>, then the key-method-2 exchange and NUL-terminated control
/// messages. The roles differ only in how they authenticate (<see cref="TlsServerChannel"/>,
/// <see cref="TlsClientChannel"/>).
/// </summary>
public abstract class TlsChannel : IAsyncDisposable
{
    private readonly TlsTransportStream _transport;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly byte[] _readBuffer = new byte[4096];
    private readonly List<byte> _plaintext = new();
    private readonly ControlMessageReader _commands = new();
    private int _disposed;

    /// <remarks>The peer certificate callback goes in each role's authentication options.</remarks>
    protected TlsChannel(Action<byte[]> sendCiphertext)
    {
        _transport = new TlsTransportStream(sendCiphertext);
        Ssl = new SslStream(_transport, leaveInnerStreamOpen: false);
    }

    protected SslStream Ssl { get; }

    /// <summary>Peer certificates this channel disposes with itself (<see cref="OwnPeerCertificate"/>).</summary>
    private List<X509Certificate2>? _peerCertificates;
    private readonly Lock _peerCertificatesGate = new();

    /// <summary>
    /// The peer's certificate as an <see cref="X509Certificate2"/>, disposed with this channel. SslStream stops
    /// disposing its remote certificate once it was exposed (to a validation callback or through
    /// <see cref="SslStream.RemoteCertificate"/>), and an undisposed one keeps its OpenSSL X509 until a full collection
    /// finalizes it. By then a burst of handshakes has piled up tens of MB of them in the native heap, and the holes
    /// they leave stay resident for good.
    /// </summary>
    protected X509Certificate2? OwnPeerCertificate(X509Certificate? certificate)
    {
        if (certificate is null) return null;
        var owned = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        lock (_peerCertificatesGate)
        {
            _peerCertificates ??= [];
            if (!_peerCertificates.Contains(owned)) _peerCertificates.Add(owned);
        }
        return owned;
    }

    public string? TlsDescription => Ssl.IsAuthenticated ? $"{Ssl.SslProtocol}, cipher {Ssl.NegotiatedCipherSuite}" : null;

    /// <summary>
    /// Bytes a TLS record of <paramref name="plaintextLength"/> application bytes takes on the wire with the
    /// negotiated version and cipher (AEAD suites only: no padding), or -1 when that is not fixed (CBC suites) or
    /// the session is not authenticated. Lets a released session tell a client's EXIT from other messages by size.
    /// </summary>
    public int RecordLength(int plaintextLength)
    {
        if (!Ssl.IsAuthenticated) return -1;
        const int header = 5, tag = 16;
        string suite = Ssl.NegotiatedCipherSuite.ToString();
        bool aead = suite.Contains("_GCM_", StringComparison.Ordinal) || suite.Contains("CHACHA20_POLY1305", StringComparison.Ordinal);
        if (!aead) return -1;
#pragma warning disable SYSLIB0039 // naming old protocol versions to recognise them, not to enable them
        return Ssl.SslProtocol switch
        {
            System.Security.Authentication.SslProtocols.Tls13 => header + plaintextLength + 1 + tag, // + inner content type
            System.Security.Authentication.SslProtocols.Tls12 when suite.Contains("_GCM_", StringComparison.Ordinal)
                => header + 8 + plaintextLength + tag, // + explicit nonce
            System.Security.Authentication.SslProtocols.Tls12 => header + plaintextLength + tag,
            _ => -1,
        };
#pragma warning restore SYSLIB0039
    }

    /// <summary>Feeds ciphertext the reliability layer delivered in order.</summary>
    public void Deliver(byte[] ciphertext) => _transport.Deliver(ciphertext);

    /// <summary>Reads the peer's key-method-2 message (it may span several TLS records).</summary>
    protected async Task<KeyMethod2Message> ReadKeyMethod2Async(bool fromClient, CancellationToken cancellation)
    {
        string peer = fromClient ? "client" : "server";
        while (true)
        {
            var status = KeyMethod2Message.TryParse(_plaintext.ToArray(), fromClient, out var message, out int consumed);
            if (status == KeyMethod2Message.ParseStatus.Complete)
            {
                _plaintext.RemoveRange(0, consumed);
                return message!;
            }
            if (status == KeyMethod2Message.ParseStatus.Invalid) throw new InvalidDataException($"malformed key-method-2 message from the {peer}");
            if (_plaintext.Count > 16384) throw new InvalidDataException($"key-method-2 message from the {peer} too long");
            int n = await Ssl.ReadAsync(_readBuffer, cancellation).ConfigureAwait(false);
            if (n == 0) throw new EndOfStreamException($"TLS closed before the {peer}'s key-method 2");
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
            int n = await Ssl.ReadAsync(_readBuffer, cancellation).ConfigureAwait(false);
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
            await Ssl.WriteAsync(plaintext, cancellation).ConfigureAwait(false);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Sends one NUL-terminated control message (PUSH_REQUEST, PUSH_REPLY, EXIT, …).</summary>
    public Task SendCommandAsync(string command, CancellationToken cancellation) =>
        WriteAsync(ControlMessageReader.Encode(command), cancellation);

    /// <summary>Drops the session without a TLS close_notify (OpenVPN just forgets it too).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _transport.Complete();
        try { await Ssl.DisposeAsync().ConfigureAwait(false); } catch (Exception) { /* closing a dead session */ }
        lock (_peerCertificatesGate)
        {
            foreach (var certificate in _peerCertificates ?? []) certificate.Dispose();
            _peerCertificates = null;
        }
        _writeGate.Dispose();
        GC.SuppressFinalize(this);
    }
}
