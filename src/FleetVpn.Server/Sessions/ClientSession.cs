using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using FleetVpn.ControlChannel;
using FleetVpn.ControlChannel.Revocation;
using FleetVpn.Protocol.DataChannel;
using FleetVpn.Protocol.Keys;
using FleetVpn.Protocol.Messages;
using FleetVpn.Protocol.Reliability;
using FleetVpn.Protocol.Wire;
using FleetVpn.Protocol.Wrapping;
using FleetVpn.Platform.Sockets;
using FleetVpn.Platform.Tun;
using FleetVpn.Server.Config;
using FleetVpn.Server.Diagnostics;
using FleetVpn.Server.Engine;
using FleetVpn.Server.Routing;
using FleetVpn.Server.Scripts;

namespace FleetVpn.Server.Sessions;

/// <summary>
/// One connected (or connecting) client: the newest key negotiation (control link and TLS),
/// then its data keys, tunnel address and keepalive timestamps.
/// Control work runs under the session lock; the data path reads <see cref="Keys"/> without it.
/// </summary>
public sealed class ClientSession : IRemotePeer
{
    /// <summary>The server, through the owner (a field of its own would cost every idle client 8 bytes).</summary>
    private ServerContext _server => Owner.Server;
    /// <summary>The session lock: one of the server's shared <see cref="SessionLocks"/>, not an object per client.</summary>
    private Lock _gate => Owner.Server.SessionLocks.For(OwnSessionId);
    /// <summary>Datagrams of one flush: per thread, not per client.</summary>
    [ThreadStatic] private static List<byte[]>? t_outgoing;
    /// <summary>The negotiation in progress or in its grace period; null once released (then <see cref="_released"/>).</summary>
    private KeyNegotiation? _negotiation;
    /// <summary>What the last negotiation left when it was released: the idle state.</summary>
    private ReleasedNegotiation _released;
    /// <summary>Replay packet-ids for the control channel's tls-auth/tls-crypt wrapper; null without one (nothing to number).</summary>
    private readonly PacketIdSender? _replaySender;
    /// <summary>The control channel's replay window: made only with tls-auth/tls-crypt (their packets carry replay ids).</summary>
    private TimedReplayWindow? _replayWindow;
    /// <summary>Scratch space for wrapping control packets: per thread, not per client (an idle client holds none).</summary>
    [ThreadStatic] private static byte[]? t_wrapped;
    /// <summary>A tls-crypt-v2 client's own control-channel key (Kc); null for clients of the server-wide wrapper.</summary>
    private readonly TlsCryptV2SessionKey? _tlsCryptV2;
    private long _previousKeysUntilMs;
    private int _closed;

    /// <summary>The server the session belongs to.</summary>
    internal ServerContext Server => _server;

    /// <param name="tlsCryptV2Key">For a tls-crypt-v2 client, <see cref="TlsCryptWrapper.CompactKey"/> of its Kc (server role).</param>
    public ClientSession(Worker owner, PeerAddress remoteAddress, SessionId own, SessionId remote, ReadOnlySpan<byte> tlsCryptV2Key = default)
    {
        Owner = owner;
        RemoteAddress = remoteAddress;
        OwnSessionId = own;
        RemoteSessionId = remote;
        CreatedAtMs = ServerContext.NowMs;
        LastReceivedMs = LastSentMs = CreatedAtMs;
        // The stateless reset reply used replay packet-id 1; this session continues at 2 (§4.1).
        if (!tlsCryptV2Key.IsEmpty) _tlsCryptV2 = new TlsCryptV2SessionKey(tlsCryptV2Key);
        if (_tlsCryptV2 is not null || _server.Options.ControlWrapper.HasReplayId) _replaySender = new PacketIdSender((uint)ServerContext.UnixSeconds, lastId: 1);
    }

    /// <summary>True for a tls-crypt-v2 client: its control packets are wrapped with its own key.</summary>
    public bool UsesTlsCryptV2 => _tlsCryptV2 is not null;

    /// <summary>The wrapper of this client's control packets: its tls-crypt-v2 key, or the server's tls-auth / tls-crypt.</summary>
    private IControlWrapper ControlWrapperLocked => _tlsCryptV2?.Wrapper ?? _server.Options.ControlWrapper;

    /// <summary>
    /// An idle tls-crypt-v2 client (its link released) keeps no wrapper: one made for a late packet or its ACK goes
    /// again at once. Renegotiations and handshakes keep theirs until the link is released.
    /// </summary>
    private void ReleaseIdleWrapperLocked()
    {
        if (_negotiation?.Link is null) _tlsCryptV2?.ReleaseWrapper();
    }

    /// <summary>A negotiation started (in progress, or released once finished); false before <see cref="Start"/>.</summary>
    private bool HasNegotiationLocked => _negotiation is not null || _released.IsSet;

    /// <summary>The key-id control packets carry now.</summary>
    private int KeyIdLocked => _negotiation?.KeyId ?? _released.KeyId;

    /// <summary>Whether the current key's data keys are installed (a released negotiation had finished).</summary>
    private bool FinishedLocked => _negotiation?.Finished ?? _released.IsSet;

    private long RenegotiateAtMsLocked => _negotiation?.RenegotiateAtMs ?? _released.RenegotiateAtMs;

    /// <summary>
    /// Authenticates and unwraps a control packet from this client (<see cref="IControlWrapper.TryUnwrap"/>) with its
    /// wrapper; a tls-crypt-v2 client's under the session lock, since its wrapper comes and goes with the control traffic.
    /// </summary>
    public bool TryUnwrapControl(ReadOnlySpan<byte> wrapped, Span<byte> unwrapped, out int length, out uint replayId, out uint replayTime)
    {
        if (_tlsCryptV2 is null) return _server.Options.ControlWrapper.TryUnwrap(wrapped, unwrapped, out length, out replayId, out replayTime);
        lock (_gate)
        {
            if (State != SessionState.Closed)
            {
                bool ok = _tlsCryptV2.Wrapper.TryUnwrap(wrapped, unwrapped, out length, out replayId, out replayTime);
                ReleaseIdleWrapperLocked();
                return ok;
            }
        }
        length = 0;
        replayId = replayTime = 0;
        return false;
    }

    /// <summary>The worker that admitted the session: only its thread touches the receive state and the timers.</summary>
    public Worker Owner { get; }

    /// <summary>When the session is due in its worker's timing wheel (long.MaxValue: not scheduled). The owner's thread only.</summary>
    internal long WheelDueMs = long.MaxValue;

    /// <summary>The client's UDP address, inline (a float replaces it under the session table's lock).</summary>
    public PeerAddress RemoteAddress { get; set; }
    /// <summary>The client's address as an endpoint, made on demand (logs, status): an idle client keeps only <see cref="RemoteAddress"/>.</summary>
    public IPEndPoint RemoteEndPoint => RemoteAddress.ToEndPoint();
    public SessionId OwnSessionId { get; }
    public SessionId RemoteSessionId { get; }
    public int PeerId { get; set; } = -1;
    public SessionState State { get; private set; } = SessionState.Handshaking;
    public string CommonName { get; private set; } = UnknownCommonName;

    /// <summary>The CN before the certificate is seen (OpenVPN's status files write UNDEF).</summary>
    private const string UnknownCommonName = "UNDEF";

    /// <summary>
    /// The client's certificate as a reloaded CRL needs it (serial and issuer, hashed: 12 bytes); empty until its first
    /// TLS handshake. A renegotiation must present the same certificate, as OpenVPN locks the certificate hash.
    /// </summary>
    public CertificateIdentity Certificate
    {
        get => new(_certificateSerialHash, _certificateIssuerHash);
        private set => (_certificateSerialHash, _certificateIssuerHash) = (value.SerialHash, value.IssuerHash);
    }
    // Two plain fields rather than the 16-byte struct: the uint packs beside the session's other 4-byte fields.
    private ulong _certificateSerialHash;
    private uint _certificateIssuerHash;
    public uint VirtualAddress { get; private set; }
    public bool UsesPeerId { get; private set; }
    public bool CompLzoFraming { get; private set; }

    /// <summary>
    /// The client's iroutes and kernel routes, kept only for a client that has some: most devices have a pool
    /// address and nothing else, and <see cref="VirtualAddress"/> is enough to give that back.
    /// </summary>
    private ClientAddressing? _addressing;

    /// <summary>True for the client's own address and the subnets routed to it.</summary>
    public bool OwnsSource(uint address) => (address == VirtualAddress && address != 0) || (_addressing?.OwnsSource(address) ?? false);

    /// <summary>The largest TCP MSS this client's packets may announce (`mssfix`); 0 = no clamping.</summary>
    public int MaxMss { get; private set; }
    /// <summary>Local time of <see cref="CreatedAtMs"/>, worked out from the monotonic clock (not stored).</summary>
    public DateTime ConnectedSince => DateTime.Now.AddMilliseconds(CreatedAtMs - ServerContext.NowMs);
    public long CreatedAtMs { get; }
    public long LastReceivedMs;
    public long LastSentMs;
    public long BytesReceived;
    public long BytesSent;

    /// <summary>The newest data-channel keys (sending and receiving); null until the first handshake finished.</summary>
    public volatile DataChannelKeys? Keys;

    /// <summary>The "lame duck" keys of the previous key-id, accepted for receiving during the transition window.</summary>
    public volatile DataChannelKeys? PreviousKeys;

    /// <summary>
    /// The client in log lines, as OpenVPN names it (multi_instance_string in multi.c): "CN/ADDRESS:PORT", or
    /// "ADDRESS:PORT" until its certificate gave the CN.
    /// </summary>
    public string Name => ReferenceEquals(CommonName, UnknownCommonName)
        ? ServerContext.Describe(RemoteEndPoint)
        : $"{CommonName}/{ServerContext.Describe(RemoteEndPoint)}";

    /// <summary>Set once the client is being evicted (its certificate revoked): no data passes either way from then on.</summary>
    private volatile bool _trafficCut;

    /// <summary>Stops the client's data at once, before its session closes (which waits for its control channel).</summary>
    public void CutTraffic() => _trafficCut = true;

    /// <summary>The keys for a data packet's key-id, or null.</summary>
    public DataChannelKeys? KeysFor(int keyId)
    {
        if (_trafficCut) return null;
        var keys = Keys;
        if (keys is not null && keys.KeyId == keyId) return keys;
        var previous = PreviousKeys;
        return previous is not null && previous.KeyId == keyId ? previous : null;
    }

    /// <summary>Starts key-id 0 after the cookie exchange, which already used msg-pid 0 both ways (§4.1).</summary>
    public void Start()
    {
        _server.HandshakeStarted();
        _inFirstHandshake = 1;
        lock (_gate) StartNegotiationLocked(keyId: 0, firstMessageId: 1, sendSoftReset: false);
    }

    /// <summary>
    /// Milliseconds without any packet from a client in its first handshake before the handshake stops counting in
    /// flight: past two retransmission intervals (tls-timeout, 2 s).
    /// </summary>
    private const long StalledHandshakeMs = 5000;

    /// <summary>True while the first handshake has not finished and the client has sent nothing for <see cref="StalledHandshakeMs"/>.</summary>
    public bool IsStalledHandshake(long nowMs) => State == SessionState.Handshaking && nowMs - LastReceivedMs > StalledHandshakeMs;

    /// <summary>1 while the first handshake counts in the server's handshakes in flight.</summary>
    private int _inFirstHandshake;

    /// <summary>The first handshake is over (keys installed, refused or failed): it leaves the admission count once.</summary>
    private void EndFirstHandshake()
    {
        if (Interlocked.Exchange(ref _inFirstHandshake, 0) == 1) _server.HandshakeEnded();
    }

    /// <summary>Handles a control packet addressed to this session (receive thread).</summary>
    public void OnControlPacket(in ControlPacket packet, uint replayId, uint replayTime)
    {
        bool closeForExit = false;
        try
        {
            OnControlPacketLocked(packet, replayId, replayTime, ref closeForExit);
        }
        finally
        {
            if (closeForExit) Close("client exit notification (EXIT on the control channel)");
        }
    }

    private void OnControlPacketLocked(in ControlPacket packet, uint replayId, uint replayTime, ref bool closeForExit)
    {
        lock (_gate)
        {
            if (State == SessionState.Closed || !HasNegotiationLocked) return;
            // Replay check after the wrapper authenticated the packet (§3.2).
            if (_replaySender is not null && !(_replayWindow ??= new()).TryAccept(replayId, replayTime))
            {
                ServerCounters.Increment(ref _server.Counters.Replayed);
                return;
            }
            if (packet.KeyId != KeyIdLocked)
            {
                // A client-initiated renegotiation: only from a finished key, to the next key-id (tls_pre_decrypt()).
                if (packet.Opcode != Opcode.ControlSoftResetV1 || !FinishedLocked
                    || packet.KeyId != KeyNegotiation.NextKeyId(KeyIdLocked))
                {
                    ServerCounters.Increment(ref _server.Counters.UnknownSource);
                    return;
                }
                _server.Log.Write(3, $"{Name} client starts renegotiation to key-id {packet.KeyId}");
                StartNegotiationLocked(packet.KeyId, firstMessageId: 0, sendSoftReset: true);
            }
            if (_negotiation?.Link is not { } link)
            {
                LastReceivedMs = ServerContext.NowMs;
                OnPacketAfterReleaseLocked(packet, ref closeForExit);
                return;
            }
            if (!link.OnPacket(packet, out _))
            {
                ServerCounters.Increment(ref _server.Counters.Malformed);
                return;
            }
            LastReceivedMs = ServerContext.NowMs;
            while (link.Receiver.TryDequeue(out var opcode, out var payload))
            {
                if (opcode != Opcode.ControlV1 || payload.Length == 0) continue;
                if (_negotiation!.Tls is { } tls)
                {
                    tls.Deliver(payload);
                }
                else
                {
                    // The TLS session was released after the handshake (and a grace period for retransmitted
                    // PUSH_REQUESTs). The one message a 2.6 client sends on an idle control channel is EXIT
                    // (pushed `protocol-flags cc-exit`); it cannot be read any more, so it is taken as that.
                    closeForExit = true;
                }
            }
            FlushLocked(ServerContext.NowMs);
        }
    }

    /// <summary>
    /// A packet after the link was released (TLS and link, grace period included): the one message a 2.6 client
    /// sends on an idle control channel is EXIT (pushed `protocol-flags cc-exit`); it cannot be read any more, so a
    /// packet with a payload is taken as that. Bare ACKs are dropped.
    /// </summary>
    private void OnPacketAfterReleaseLocked(in ControlPacket packet, ref bool closeForExit)
    {
        if (packet.Opcode != Opcode.ControlV1 || packet.Payload.Length == 0) return;
        // A message the link had already received is a retransmission whose ACK was lost (a PUSH_REQUEST
        // on a lossy or overloaded path): acknowledged again, never taken for EXIT. So is a new message whose
        // TLS record is not the size of EXIT's: a PUSH_REQUEST that crossed the PUSH_REPLY (the client asks
        // again every 5 s until it has one). Where the size is unknown (CBC suites), a new message is EXIT.
        if (packet.HasMessageId && (packet.MessageId < _released.NextExpected
            || (_released.ExitRecordLength > 0 && packet.Payload.Length != _released.ExitRecordLength)))
            SendAckLocked(packet.MessageId);
        else closeForExit = true;
    }

    /// <summary>Retransmissions, server-initiated renegotiation and the end of the transition window (timer thread).</summary>
    public void OnTimer(long nowMs)
    {
        lock (_gate)
        {
            if (State == SessionState.Closed || !HasNegotiationLocked) return;
            if (FinishedLocked && nowMs >= RenegotiateAtMsLocked)
            {
                int next = KeyNegotiation.NextKeyId(KeyIdLocked);
                _server.Log.Write(3, $"{Name} reneg-sec reached, renegotiating to key-id {next}");
                StartNegotiationLocked(next, firstMessageId: 0, sendSoftReset: true);
            }
            if (PreviousKeys is not null && nowMs >= _previousKeysUntilMs) PreviousKeys = null;
            if (_negotiation is { Link: { } link } negotiation && nowMs >= negotiation.ReleaseTlsAtMs && link.Sender.Outstanding == 0)
            {
                negotiation.Release();
                _released = new ReleasedNegotiation(negotiation);
                _negotiation = null;
                ReleaseIdleWrapperLocked();
            }
            // A first handshake whose client went quiet (it gave up and retries from another port, or its path is
            // lost) leaves the admission count: it would otherwise hold a slot until the hand-window ends (60 s), and
            // a storm of abandoned handshakes would shut every new client out. A live client is never quiet that long:
            // the server answers each flight in milliseconds, and unanswered packets are retransmitted every 2 s.
            if (Volatile.Read(ref _inFirstHandshake) == 1 && IsStalledHandshake(nowMs))
            {
                _server.Log.Write(4, $"{Name} handshake stalled ({(nowMs - LastReceivedMs) / 1000} s without a packet from the client), no longer counted in flight");
                EndFirstHandshake();
                Owner.NoteStalledHandshake(this);
            }
            FlushLocked(nowMs);
        }
    }

    private void StartNegotiationLocked(int keyId, uint firstMessageId, bool sendSoftReset)
    {
        var previous = _negotiation;
        var link = new ReliableLink(OwnSessionId, RemoteSessionId, keyId, firstMessageId, firstMessageId,
            _server.Options.TlsTimeoutSeconds * 1000L);
        if (sendSoftReset) link.Sender.Enqueue(Opcode.ControlSoftResetV1, []);
        KeyNegotiation? negotiation = null;
        var channel = new TlsServerChannel(_server.Tls, ciphertext => OnTlsCiphertext(negotiation!, ciphertext));
        negotiation = new KeyNegotiation(link, channel, isInitial: keyId == 0 && previous is null && !_released.IsSet);
        _negotiation = negotiation;
        _released = default;
        // The old TLS session ends; its data keys live on as the lame duck.
        previous?.ReleaseTls();
        _ = RunNegotiationAsync(negotiation, negotiation.Stopping);
    }

    private void OnTlsCiphertext(KeyNegotiation negotiation, byte[] ciphertext)
    {
        lock (_gate)
        {
            if (State == SessionState.Closed || negotiation != _negotiation) return;
            if (negotiation.Link is not { } link) return;
            link.EnqueueTls(ciphertext);
            FlushLocked(ServerContext.NowMs);
        }
        // What was just sent may need retransmitting: the owner's wheel must look at this session soon.
        Owner.Wake(this);
    }

    /// <summary>
    /// When the timers should look at this session next: every <paramref name="controlPollMs"/> while control traffic
    /// is in flight (handshake, retransmissions, the grace period before the TLS session is released), otherwise the
    /// earliest of the renegotiation, the end of the lame-duck keys, the next keepalive ping and ping-restart.
    /// </summary>
    public long NextWakeMs(long now, int controlPollMs)
    {
        lock (_gate)
        {
            if (State == SessionState.Closed || !HasNegotiationLocked) return long.MaxValue;
            var negotiation = _negotiation;
            if (negotiation?.Link is { } link && (!negotiation.Finished || link.Sender.Outstanding > 0 || State != SessionState.Established))
                return now + controlPollMs;
            long next = Math.Min(RenegotiateAtMsLocked, negotiation?.Link is null ? long.MaxValue : negotiation.ReleaseTlsAtMs);
            if (PreviousKeys is not null) next = Math.Min(next, _previousKeysUntilMs);
            var o = _server.Options;
            if (o.KeepalivePing > 0) next = Math.Min(next, LastSentMs + 1000L * o.KeepalivePing);
            if (o.KeepaliveRestart > 0) next = Math.Min(next, LastReceivedMs + 2000L * o.KeepaliveRestart + 1);
            return next == long.MaxValue ? next : Math.Max(next, now + 1);
        }
    }

    private void FlushLocked(long nowMs)
    {
        var outgoing = t_outgoing ??= new List<byte[]>();
        outgoing.Clear();
        if (_negotiation?.Link is not { } link) return;
        link.Flush(nowMs, outgoing);
        var wrapper = ControlWrapperLocked;
        var wrapped = t_wrapped ??= new byte[2048];
        foreach (var datagram in outgoing)
        {
            // Every transmission, retransmissions and ACKs included, takes a fresh replay packet-id.
            var id = _replaySender?.Next() ?? default;
            int length = wrapper.Wrap(datagram, id.Id, id.Time, wrapped);
            _server.Send(wrapped.AsSpan(0, length), RemoteAddress);
        }
        if (outgoing.Count > 0) LastSentMs = nowMs;
    }

    /// <summary>A bare P_ACK_V1 for one message, sent without the (released) reliable link.</summary>
    private void SendAckLocked(uint messageId)
    {
        Span<uint> acks = [messageId];
        Span<byte> ack = stackalloc byte[ControlPacket.GetSize(1, false, 0)];
        int n = ControlPacket.Write(ack, Opcode.AckV1, KeyIdLocked, OwnSessionId, acks, RemoteSessionId, 0, default);
        var id = _replaySender?.Next() ?? default;
        var wrapped = t_wrapped ??= new byte[2048];
        int length = ControlWrapperLocked.Wrap(ack[..n], id.Id, id.Time, wrapped);
        ReleaseIdleWrapperLocked();
        _server.Send(wrapped.AsSpan(0, length), RemoteAddress);
        LastSentMs = ServerContext.NowMs;
    }

    private async Task RunNegotiationAsync(KeyNegotiation negotiation, CancellationToken lifetime)
    {
        var tls = negotiation.Tls!;
        using var handshakeTimeout = CancellationTokenSource.CreateLinkedTokenSource(lifetime);
        handshakeTimeout.CancelAfter(TimeSpan.FromSeconds(_server.Options.HandWindowSeconds));
        var log = _server.Log;
        try
        {
            await tls.AuthenticateAsync(handshakeTimeout.Token).ConfigureAwait(false);
            var certificate = tls.ClientCertificate!;
            string commonName = ClientCertificatePolicy.CommonName(certificate);
            var identity = CertificateIdentity.Of(certificate);
            if (negotiation.IsInitial)
            {
                CommonName = commonName;
                Certificate = identity;
            }
            else if (identity != Certificate)
            {
                throw new InvalidDataException($"renegotiation presented another certificate (CN '{commonName}')");
            }
            log.Write(3, $"{Name} TLS established for key-id {negotiation.KeyId} ({tls.TlsDescription})");

            var client = await tls.ReadKeyMethod2Async(handshakeTimeout.Token).ConfigureAwait(false);
            var peer = PeerInfo.Parse(client.PeerInfo);
            var clientOptions = OptionsString.Parse(client.Options);
            if (negotiation.IsInitial)
                log.Write(4, $"{Name} peer info {client.PeerInfo.Replace('\n', ' ').Trim()}; options '{client.Options}'");

            IReadOnlyList<string>? pushReply = null;
            string? refusal = null, authFailed = null;
            // The cipher stays as first negotiated; renegotiation only renews the keys (§10). A session keeps it in
            // its keys rather than in fields of its own (16 bytes per idle client).
            DataCipher? cipher = Keys?.Cipher;
            HmacDigest digest = Keys?.Digest ?? HmacDigest.Sha1;
            if (negotiation.IsInitial)
            {
                CompLzoFraming = clientOptions.CompLzo;
                cipher = CipherNegotiation.Choose(_server.Options.DataCiphers, peer, clientOptions.Cipher, _server.Options.DataCiphersFallback);
                // CBC needs the client's HMAC: NCP never negotiates `auth`, the client's options string tells it (§9.1).
                digest = HmacDigest.Find(clientOptions.Get("auth") ?? "") ?? _server.Options.Auth;
                if (cipher is null)
                {
                    string offered = string.Join(':', peer.Ciphers ?? [clientOptions.Cipher ?? (clientOptions.Has("keysize") ? "BF-CBC (2.3 default)" : "none")]);
                    refusal = $"no shared data cipher (client offers {offered}, server has {string.Join(':', _server.Options.DataCiphers)}"
                        + (_server.Options.DataCiphersFallback is { } f ? $", fallback {f})" : ")");
                    authFailed = "AUTH_FAILED,Data channel cipher negotiation failed (no shared cipher)";
                }
            }
            if (refusal is null && _server.Options.AuthUserPassVerify is { } verify)
            {
                var authRefusal = await SessionScripts.VerifyUserPassAsync(this, verify, client, certificate, negotiation.IsInitial, lifetime).ConfigureAwait(false);
                if (authRefusal is not null && !negotiation.IsInitial) throw new InvalidDataException($"renegotiation refused: {authRefusal}");
                if (authRefusal is not null) (refusal, authFailed) = (authRefusal, "AUTH_FAILED");
                // username-as-common-name: from here on the username names the client (ccd, duplicate-cn, logs, scripts).
                else if (negotiation.IsInitial && _server.Options.UsernameAsCommonName) CommonName = ScriptEnvironment.SafeUsername(client.Username);
            }

            var serverKeys = KeySource.NewRandom(withPreMaster: false);
            var reply = new KeyMethod2Message
            {
                Keys = serverKeys,
                Options = OptionsString.ForServer(_server.Options.TunMtu, _server.Options.TunMtu + 41, CompLzoFraming),
            };
            await tls.WriteAsync(reply.ToBytes(), handshakeTimeout.Token).ConfigureAwait(false);

            if (negotiation.IsInitial)
            {
                if (refusal is not null)
                {
                    await RefuseAsync(tls, refusal, authFailed!, lifetime).ConfigureAwait(false);
                    return;
                }
                // duplicate-cn off (OpenVPN's default): a newer client with the same common name replaces the
                // older one, before addresses are chosen so that it gets the address it had (multi_delete_dup()).
                if (!_server.Options.DuplicateCn && _server.Sessions.ClaimCommonName(this) is { } older)
                    older.Close($"replaced by {Name} with the same common name (duplicate-cn is off)");
                var (ccd, ccdRefusal) = ClientAddressing.LoadClientConfig(_server.Options, CommonName);
                var addressing = new ClientAddressing(_server, this);
                ccdRefusal ??= addressing.Acquire(ccd);
                if (ccdRefusal is null && _server.Options.ClientConnect is { } connectScript)
                    (ccd, addressing, ccdRefusal) = await SessionScripts.ClientConnectAsync(this, connectScript, ccd, addressing, certificate, client, lifetime).ConfigureAwait(false);
                if (ccdRefusal is not null)
                {
                    await RefuseAsync(tls, ccdRefusal, "AUTH_FAILED", lifetime).ConfigureAwait(false);
                    return;
                }
                lock (_gate)
                {
                    if (State == SessionState.Closed) { addressing.Release(); return; }
                    VirtualAddress = addressing.Address;
                    _addressing = addressing.HasRoutes ? addressing : null;
                }
                UsesPeerId = peer.Has(PeerInfo.ProtoDataV2);
                pushReply = PushReplyFactory.Build(_server.Options, _server.Pool, VirtualAddress, addressing.Netmask, UsesPeerId ? PeerId : null, peer, cipher!, ccd);
            }

            if (cipher is null) throw new InvalidDataException("renegotiation without data keys to renew");
            var material = LegacyKeyExpansion.Derive(client.Keys, serverKeys, RemoteSessionId, OwnSessionId);
            InstallKeys(negotiation, new DataChannelKeys(negotiation.KeyId, cipher, digest, material));
            if (negotiation.IsInitial)
            {
                ServerCounters.Increment(ref _server.Counters.HandshakesCompleted);
                _server.Metrics?.RecordHandshake(ServerContext.NowMs - CreatedAtMs);
                log.Info($"{Name} connected, assigned {AddressPool.ToAddress(VirtualAddress)}, cipher {cipher.Name}{(cipher.IsAead ? "" : "/" + digest.Name)}, peer-id {(UsesPeerId ? PeerId : DataPacketHeader.NoPeerId)}, {peer.Version ?? "unknown version"}", "connect");
                _server.SessionObserver?.Established(this);
            }
            else
            {
                log.Write(3, $"{Name} renegotiated, data keys now key-id {negotiation.KeyId}");
            }
            await ServeControlMessagesAsync(negotiation, pushReply, peer.Has(PeerInfo.ProtoRequestPush), lifetime).ConfigureAwait(false);
        }
        catch (Exception) when (negotiation != _negotiation || negotiation.TlsReleased || lifetime.IsCancellationRequested)
        {
            // Superseded by a newer negotiation, or the session closed: nothing to report.
        }
        catch (OperationCanceledException)
        {
            _server.Counters.CountHandshakeFailure(HandshakeFailure.TimedOut);
            Close($"TLS handshake for key-id {negotiation.KeyId} did not complete within hand-window {_server.Options.HandWindowSeconds}s");
        }
        catch (Exception e) when (tls.RejectionReason is not null)
        {
            _server.Counters.CountHandshakeFailure(HandshakeFailure.CertificateRejected);
            Close($"certificate rejected: {tls.RejectionReason}", level: 1, detail: e.Message);
        }
        catch (Exception e)
        {
            if (!negotiation.Finished) _server.Counters.CountHandshakeFailure(HandshakeFailure.TlsError);
            Close(negotiation.Finished ? $"control channel closed: {e.Message}" : $"TLS handshake failed: {e.Message}");
        }
    }

    private void InstallKeys(KeyNegotiation negotiation, DataChannelKeys keys)
    {
        lock (_gate)
        {
            if (State == SessionState.Closed || negotiation != _negotiation) return;
            PreviousKeys = Keys;
            _previousKeysUntilMs = ServerContext.NowMs + _server.Options.TransitionWindowSeconds * 1000L;
            Keys = keys;
            negotiation.Finished = true;
            int reneg = _server.Options.RenegSeconds;
            if (reneg > 0)
            {
                // Like 2.6, the server renegotiates somewhere in 90–100 % of reneg-sec so a fleet does not renew in lockstep.
                long jitterMs = RandomNumberGenerator.GetInt32(0, reneg * 100 + 1);
                negotiation.RenegotiateAtMs = ServerContext.NowMs + reneg * 1000L - jitterMs;
            }
            if (negotiation.IsInitial)
            {
                EndFirstHandshake();
                State = SessionState.Established;
                _server.Sessions.SetVirtualAddress(this, VirtualAddress);
                MaxMss = ComputeMaxMss(keys);
            }
        }
    }

    private async Task ServeControlMessagesAsync(KeyNegotiation negotiation, IReadOnlyList<string>? pushReply, bool pushNow, CancellationToken lifetime)
    {
        var tls = negotiation.Tls!;
        if (pushReply is not null && pushNow)
        {
            await SendPushReplyAsync(tls, pushReply, lifetime).ConfigureAwait(false);
            ScheduleTlsRelease(negotiation);
        }
        else if (pushReply is null)
        {
            ScheduleTlsRelease(negotiation); // a renegotiation ends with the key-method-2 exchange
        }
        while (!lifetime.IsCancellationRequested && negotiation == _negotiation)
        {
            var commands = await tls.ReadCommandsAsync(lifetime).ConfigureAwait(false);
            if (commands.Count == 0) return;
            foreach (var command in commands)
            {
                if (command == "PUSH_REQUEST")
                {
                    _server.Log.Write(4, $"{Name} PUSH_REQUEST");
                    if (pushReply is not null)
                    {
                        await SendPushReplyAsync(tls, pushReply, lifetime).ConfigureAwait(false);
                        ScheduleTlsRelease(negotiation);
                    }
                }
                else if (command == "EXIT")
                {
                    Close("client exit notification (EXIT)");
                    return;
                }
                else
                {
                    _server.Log.Write(3, $"{Name} control message ignored: {command}", "control-msg");
                }
            }
        }
    }

    /// <summary>
    /// Seconds a finished handshake keeps its TLS session once all it sent was acknowledged. Short, because TLS
    /// sessions alive at once are what a burst of handshakes costs in memory (tens of KB of OpenSSL buffers each,
    /// and the native heap they fragment); late retransmissions are acknowledged without it (see OnControlPacket).
    /// </summary>
    private const int TlsGraceSeconds = 2;

    /// <summary>
    /// After the handshake an idle client holds no TLS object (a few KB each); with server-side
    /// `explicit-exit-notify` it is kept, because RESTART on shutdown is sent inside TLS.
    /// </summary>
    private void ScheduleTlsRelease(KeyNegotiation negotiation)
    {
        if (_server.Options.ExplicitExitNotify) return;
        lock (_gate) negotiation.ReleaseTlsAtMs = ServerContext.NowMs + TlsGraceSeconds * 1000L;
    }

    private async Task RefuseAsync(TlsServerChannel tls, string reason, string authFailed, CancellationToken lifetime)
    {
        _server.Counters.CountHandshakeFailure(HandshakeFailure.Refused);
        _server.Log.Info($"{Name} refused: {reason}", "refused");
        await tls.SendCommandAsync(authFailed, lifetime).ConfigureAwait(false);
        // Give the reliability layer time to deliver AUTH_FAILED before the state goes away.
        await Task.Delay(TimeSpan.FromSeconds(2), lifetime).ConfigureAwait(false);
        Close("refused", level: 3);
    }

    private async Task SendPushReplyAsync(TlsServerChannel tls, IReadOnlyList<string> messages, CancellationToken cancellation)
    {
        foreach (var message in messages)
        {
            _server.Log.Write(4, $"{Name} SENT CONTROL {message}");
            await tls.SendCommandAsync(message, cancellation).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// `mssfix N` caps the encapsulated UDP payload at N bytes: the MSS is N minus this client's
    /// data-packet overhead (header, packet-id, tag or HMAC/IV/padding, framing) minus 40 bytes of IPv4 + TCP headers.
    /// </summary>
    private int ComputeMaxMss(DataChannelKeys keys)
    {
        int limit = _server.Options.MssFix;
        if (limit <= 0) return 0;
        int header = UsesPeerId ? DataPacketHeader.V2Size : DataPacketHeader.V1Size;
        int overhead = header + keys.MaxOverhead + (CompLzoFraming ? 1 : 0);
        return Math.Max(536, limit - overhead - 40);
    }

    /// <summary>
    /// Tells the client to reconnect (server-side explicit-exit-notify), over the control channel; the management
    /// interface's client-kill may send another message (HALT). A no-op once the TLS session was released.
    /// </summary>
    public Task NotifyRestartAsync(string message = "RESTART")
    {
        KeyNegotiation? negotiation;
        lock (_gate) negotiation = State == SessionState.Established ? _negotiation : null;
        if (negotiation?.Tls is not { } tls) return Task.CompletedTask;
        return tls.SendCommandAsync(message, negotiation.Stopping);
    }

    /// <summary>True once every reliable control packet sent so far was acknowledged.</summary>
    public bool ControlChannelIdle
    {
        get { lock (_gate) return _negotiation?.Link is not { } link || link.Sender.Outstanding == 0; }
    }

    /// <summary>Ends the session once: frees its address and peer-id and stops its tasks.</summary>
    public void Close(string reason, int level = 1, string? detail = null)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        KeyNegotiation? negotiation;
        ClientAddressing? addressing;
        uint address;
        bool wasEstablished;
        lock (_gate)
        {
            wasEstablished = State == SessionState.Established;
            State = SessionState.Closed;
            _tlsCryptV2?.Clear();
            negotiation = _negotiation;
            addressing = _addressing;
            address = VirtualAddress;
        }
        _server.Sessions.Remove(this);
        EndFirstHandshake();
        if (addressing is not null) addressing.Release();
        else if (address != 0) _server.Pool.Release(address);
        negotiation?.Cancel();
        negotiation?.ReleaseTls();
        _server.Log.Write(level, $"{Name} disconnected: {reason}{(detail is null || !_server.Log.IsEnabled(4) ? "" : $" ({detail})")}", "disconnect");
        _server.SessionObserver?.Closed(this, reason);
        if (wasEstablished) SessionScripts.RunClientDisconnect(this);
    }

    /// <summary>Encrypts and sends one payload (tun packet or ping). <paramref name="framed"/> has one spare byte in front for comp-lzo framing.</summary>
    public void SendData(Span<byte> framed, Span<byte> packetBuffer)
    {
        var keys = Keys;
        if (keys is null || _trafficCut) return;
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
    /// <param name="handedOver">The packet reached another worker first (the new address hashes there) and was handed to the owner.</param>
    public void Float(SocketAddress from, bool handedOver = false)
    {
        var old = Name;
        _server.Sessions.Move(this, PeerAddress.From(from));
        _server.Log.Info($"{old} floated to {ServerContext.Describe(RemoteEndPoint)}{(handedOver ? $" (handed over to its worker {Owner.Index})" : "")}", "float");
    }
}
