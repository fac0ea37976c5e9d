using System.Net;
using System.Net.Sockets;
using FleetVpn.ControlChannel;
using FleetVpn.Protocol.DataChannel;
using FleetVpn.Protocol.Keys;
using FleetVpn.Protocol.Messages;
using FleetVpn.Protocol.Reliability;
using FleetVpn.Protocol.Wire;
using FleetVpn.Server.Diagnostics;
using FleetVpn.Server.Routing;

namespace FleetVpn.Server.Sessions;

/// <summary>
/// One connected (or connecting) client: its control link and TLS session while the handshake
/// runs, then its data keys, tunnel address and keepalive timestamps.
/// Control work runs under the session lock; the data path reads <see cref="Keys"/> without it.
/// </summary>
public sealed class ClientSession
{
    private readonly ServerContext _server;
    private readonly object _gate = new();
    private readonly List<byte[]> _outgoing = new();
    private readonly CancellationTokenSource _lifetime = new();
    private ReliableLink _link;
    private TlsServerChannel? _tls;
    private int _closed;

    public ClientSession(ServerContext server, SocketAddress remoteAddress, IPEndPoint remoteEndPoint, SessionId own, SessionId remote)
    {
        _server = server;
        RemoteAddress = remoteAddress;
        RemoteEndPoint = remoteEndPoint;
        OwnSessionId = own;
        RemoteSessionId = remote;
        // The stateless cookie exchange already used msg-pid 0 both ways (§4.1).
        _link = new ReliableLink(own, remote, keyId: 0, firstSendId: 1, firstExpected: 1, server.Options.TlsTimeoutSeconds * 1000L);
        CreatedAtMs = ServerContext.NowMs;
        LastReceivedMs = LastSentMs = CreatedAtMs;
    }

    public SocketAddress RemoteAddress { get; set; }
    public IPEndPoint RemoteEndPoint { get; private set; }
    public SessionId OwnSessionId { get; }
    public SessionId RemoteSessionId { get; }
    public int PeerId { get; set; } = -1;
    public SessionState State { get; private set; } = SessionState.Handshaking;
    public string CommonName { get; private set; } = "UNDEF";
    public uint VirtualAddress { get; private set; }
    public bool UsesPeerId { get; private set; }
    public bool CompLzoFraming { get; private set; }
    public DateTime ConnectedSince { get; } = DateTime.Now;
    public long CreatedAtMs { get; }
    public long LastReceivedMs;
    public long LastSentMs;
    public long BytesReceived;
    public long BytesSent;

    /// <summary>The current data-channel keys; null until the handshake finished.</summary>
    public volatile DataChannelKeys? Keys;

    public string Name => $"{CommonName}/{ServerContext.Describe(RemoteEndPoint)}";

    /// <summary>Starts the TLS handshake task.</summary>
    public void Start()
    {
        _tls = new TlsServerChannel(_server.Tls, OnTlsCiphertext);
        _ = RunAsync(_tls, _lifetime.Token);
    }

    /// <summary>Handles a control packet addressed to this session (receive thread).</summary>
    public void OnControlPacket(in ControlPacket packet)
    {
        if (packet.KeyId != _link.KeyId)
        {
            // Renegotiation (soft reset to a new key-id) is not supported yet; the client keeps its old key.
            _server.Log.Write(3, $"{Name}: control packet for key-id {packet.KeyId} ignored (renegotiation not supported yet)", "reneg");
            return;
        }
        lock (_gate)
        {
            if (State == SessionState.Closed) return;
            if (!_link.OnPacket(packet, out _))
            {
                ServerCounters.Increment(ref _server.Counters.Malformed);
                return;
            }
            LastReceivedMs = ServerContext.NowMs;
            while (_link.Receiver.TryDequeue(out var opcode, out var payload))
                if (opcode == Opcode.ControlV1 && payload.Length > 0) _tls?.Deliver(payload);
            FlushLocked();
        }
    }

    /// <summary>Retransmits what is due (timer thread).</summary>
    public void OnTimer(long nowMs)
    {
        lock (_gate)
        {
            if (State == SessionState.Closed) return;
            FlushLocked(nowMs);
        }
    }

    private void OnTlsCiphertext(byte[] ciphertext)
    {
        lock (_gate)
        {
            if (State == SessionState.Closed) return;
            _link.EnqueueTls(ciphertext);
            FlushLocked();
        }
    }

    private void FlushLocked(long? nowMs = null)
    {
        _outgoing.Clear();
        _link.Flush(nowMs ?? ServerContext.NowMs, _outgoing);
        foreach (var datagram in _outgoing) _server.Send(datagram, RemoteAddress);
        if (_outgoing.Count > 0) LastSentMs = ServerContext.NowMs;
    }

    private async Task RunAsync(TlsServerChannel tls, CancellationToken lifetime)
    {
        using var handshakeTimeout = CancellationTokenSource.CreateLinkedTokenSource(lifetime);
        handshakeTimeout.CancelAfter(TimeSpan.FromSeconds(_server.Options.HandWindowSeconds));
        var log = _server.Log;
        try
        {
            await tls.AuthenticateAsync(handshakeTimeout.Token).ConfigureAwait(false);
            CommonName = ClientCertificatePolicy.CommonName(tls.ClientCertificate!);
            log.Write(3, $"{Name}: TLS established ({tls.TlsDescription})");

            var client = await tls.ReadKeyMethod2Async(handshakeTimeout.Token).ConfigureAwait(false);
            var peer = PeerInfo.Parse(client.PeerInfo);
            var clientOptions = OptionsString.Parse(client.Options);
            log.Write(4, $"{Name}: peer info {client.PeerInfo.Replace('\n', ' ').Trim()}; options '{client.Options}'");

            var serverKeys = KeySource.NewRandom(withPreMaster: false);
            CompLzoFraming = clientOptions.CompLzo;
            var reply = new KeyMethod2Message
            {
                Keys = serverKeys,
                Options = OptionsString.ForServer(_server.Options.TunMtu, _server.Options.TunMtu + 41, CompLzoFraming),
            };
            await tls.WriteAsync(reply.ToBytes(), handshakeTimeout.Token).ConfigureAwait(false);

            var cipher = CipherNegotiation.Choose(_server.Options.DataCiphers, peer, clientOptions.Cipher);
            if (cipher is null)
            {
                await RefuseAsync(tls, $"no shared data cipher (client offers {string.Join(':', peer.Ciphers ?? [clientOptions.Cipher ?? "none"])}, server has {string.Join(':', _server.Options.DataCiphers)})",
                    "AUTH_FAILED,Data channel cipher negotiation failed (no shared cipher)").ConfigureAwait(false);
                return;
            }
            if (!_server.Pool.TryAllocate(out uint address))
            {
                await RefuseAsync(tls, "address pool exhausted", "AUTH_FAILED,no free address").ConfigureAwait(false);
                return;
            }
            VirtualAddress = address;
            UsesPeerId = peer.Has(PeerInfo.ProtoDataV2);
            var material = LegacyKeyExpansion.Derive(client.Keys, serverKeys, RemoteSessionId, OwnSessionId);
            Keys = new DataChannelKeys(0, cipher, material);
            lock (_gate)
            {
                if (State == SessionState.Closed) { _server.Pool.Release(address); return; }
                State = SessionState.Established;
                _server.Sessions.SetVirtualAddress(this, address);
            }
            ServerCounters.Increment(ref _server.Counters.HandshakesCompleted);
            log.Info($"{Name} connected, assigned {AddressPool.ToAddress(address)}, cipher {cipher.Name}, peer-id {(UsesPeerId ? PeerId : DataPacketHeader.NoPeerId)}, {peer.Version ?? "unknown version"}", "connect");

            var pushReply = BuildPushReply(peer, cipher);
            bool pushed = false;
            if (peer.Has(PeerInfo.ProtoRequestPush))
            {
                await SendPushReplyAsync(tls, pushReply, lifetime).ConfigureAwait(false);
                pushed = true;
            }
            while (!lifetime.IsCancellationRequested)
            {
                var commands = await tls.ReadCommandsAsync(lifetime).ConfigureAwait(false);
                if (commands.Count == 0) break;
                foreach (var command in commands)
                {
                    if (command == "PUSH_REQUEST")
                    {
                        if (!pushed || log.IsEnabled(4)) log.Write(4, $"{Name}: PUSH_REQUEST");
                        await SendPushReplyAsync(tls, pushReply, lifetime).ConfigureAwait(false);
                        pushed = true;
                    }
                    else if (command == "EXIT")
                    {
                        Close("client exit notification (EXIT)");
                        return;
                    }
                    else
                    {
                        log.Write(3, $"{Name}: control message ignored: {command}", "control-msg");
                    }
                }
            }
        }
        catch (OperationCanceledException) when (!lifetime.IsCancellationRequested)
        {
            ServerCounters.Increment(ref _server.Counters.HandshakesFailed);
            Close($"TLS handshake did not complete within hand-window {_server.Options.HandWindowSeconds}s");
        }
        catch (OperationCanceledException)
        {
            // closed elsewhere
        }
        catch (Exception e) when (tls.RejectionReason is not null)
        {
            ServerCounters.Increment(ref _server.Counters.HandshakesFailed);
            Close($"certificate rejected: {tls.RejectionReason}", level: 1, detail: e.Message);
        }
        catch (Exception e)
        {
            if (State == SessionState.Handshaking) ServerCounters.Increment(ref _server.Counters.HandshakesFailed);
            Close(State == SessionState.Handshaking ? $"TLS handshake failed: {e.Message}" : $"control channel closed: {e.Message}");
        }
    }

    private async Task RefuseAsync(TlsServerChannel tls, string reason, string authFailed)
    {
        ServerCounters.Increment(ref _server.Counters.HandshakesFailed);
        _server.Log.Info($"{Name} refused: {reason}", "refused");
        await tls.SendCommandAsync(authFailed, _lifetime.Token).ConfigureAwait(false);
        // Give the reliability layer time to deliver AUTH_FAILED before the state goes away.
        await Task.Delay(TimeSpan.FromSeconds(2), _lifetime.Token).ConfigureAwait(false);
        Close("refused", level: 3);
    }

    private async Task SendPushReplyAsync(TlsServerChannel tls, IReadOnlyList<string> messages, CancellationToken cancellation)
    {
        foreach (var message in messages)
        {
            _server.Log.Write(4, $"{Name}: SENT CONTROL {message}");
            await tls.SendCommandAsync(message, cancellation).ConfigureAwait(false);
        }
    }

    /// <summary>The PUSH_REPLY a 2.6 server sends for `topology subnet`, in its order (§6.1).</summary>
    private IReadOnlyList<string> BuildPushReply(PeerInfo peer, DataCipher cipher)
    {
        var o = _server.Options;
        var pool = _server.Pool;
        var options = new List<string>
        {
            $"route-gateway {AddressPool.ToAddress(pool.ServerAddress)}",
            "topology subnet",
        };
        if (o.KeepalivePing > 0)
        {
            options.Add($"ping {o.KeepalivePing}");
            options.Add($"ping-restart {o.KeepaliveRestart}");
        }
        options.Add($"ifconfig {AddressPool.ToAddress(VirtualAddress)} {AddressPool.ToAddress(pool.Mask)}");
        if (UsesPeerId) options.Add($"peer-id {PeerId}");
        if (peer.Ncp >= 2 || peer.Ciphers is not null) options.Add($"cipher {cipher.Name}");
        if (peer.Has(PeerInfo.ProtoCcExitNotify)) options.Add("protocol-flags cc-exit");
        if (peer.Mtu > 0) options.Add($"tun-mtu {o.TunMtu}");
        return PushReplyBuilder.Build(options);
    }

    /// <summary>Ends the session once: frees its address and peer-id and stops its tasks.</summary>
    public void Close(string reason, int level = 1, string? detail = null)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        bool wasEstablished;
        lock (_gate)
        {
            wasEstablished = State == SessionState.Established;
            State = SessionState.Closed;
        }
        _server.Sessions.Remove(this);
        if (VirtualAddress != 0 && wasEstablished) _server.Pool.Release(VirtualAddress);
        _lifetime.Cancel();
        var tls = _tls;
        _tls = null;
        if (tls is not null) _ = tls.DisposeAsync().AsTask();
        _server.Log.Write(level, $"{Name} disconnected: {reason}{(detail is null || !_server.Log.IsEnabled(4) ? "" : $" ({detail})")}", "disconnect");
    }

    /// <summary>Encrypts and sends one payload (tun packet or ping). <paramref name="framed"/> has one spare byte in front for comp-lzo framing.</summary>
    public void SendData(Span<byte> framed, Span<byte> packetBuffer)
    {
        var keys = Keys;
        if (keys is null) return;
        ReadOnlySpan<byte> plaintext = framed[1..];
        if (CompLzoFraming)
        {
            framed[0] = CompLzo.NotCompressed;
            plaintext = framed;
        }
        int header;
        if (UsesPeerId)
        {
            DataPacketHeader.WriteV2(packetBuffer, keys.KeyId, PeerId);
            header = DataPacketHeader.V2Size;
        }
        else
        {
            packetBuffer[0] = PacketByte0.Make(Opcode.DataV1, keys.KeyId);
            header = DataPacketHeader.V1Size;
        }
        int length = keys.Seal(packetBuffer, header, plaintext);
        if (length == 0) return;
        _server.Send(packetBuffer[..length], RemoteAddress);
        LastSentMs = ServerContext.NowMs;
        Interlocked.Add(ref BytesSent, length);
    }

    /// <summary>Floats the client to a new address after an authenticated P_DATA_V2 from it (§11).</summary>
    public void Float(SocketAddress from)
    {
        var copy = SessionTable.Copy(from);
        var old = Name;
        _server.Sessions.Move(this, copy);
        RemoteEndPoint = (IPEndPoint)new IPEndPoint(IPAddress.IPv6Any, 0).Create(copy);
        _server.Log.Info($"{old} floated to {ServerContext.Describe(RemoteEndPoint)}", "float");
    }
}
