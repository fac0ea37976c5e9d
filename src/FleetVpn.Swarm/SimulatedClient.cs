using System.Buffers.Binary;
using System.Net;
using System.Security.Authentication;
using FleetVpn.ControlChannel;
using FleetVpn.Protocol.DataChannel;
using FleetVpn.Protocol.Keys;
using FleetVpn.Protocol.Messages;
using FleetVpn.Protocol.Reliability;
using FleetVpn.Protocol.Wire;
using FleetVpn.Protocol.Wrapping;

namespace FleetVpn.Swarm;

/// <summary>
/// One simulated OpenVPN 2.6 client: its own UDP socket (connected to the server, in <see cref="SwarmSockets"/>), the session state
/// machine (hard reset → server reset → TLS → key-method 2 → PUSH_REQUEST/PUSH_REPLY → data channel),
/// keepalive pings, ping-restart, ICMP echo probes through the tunnel, server-initiated
/// renegotiation, reconnects with OpenVPN's back-off and the explicit exit notification.
/// Idle and connected it holds only a compact record (ids, keys, counters, timestamps); the TLS channel and
/// the reliable link exist only while a handshake runs (unless <see cref="SwarmOptions.KeepTls"/>).
/// Every entry point takes the client's lock; TLS runs on the thread pool.
/// </summary>
public sealed class SimulatedClient
{
    private const int MaxDatagram = 2048;
    private const long ResetRetransmitMs = 2000;
    private const long PushRequestIntervalMs = 5000;
    private const string PushRequest = "PUSH_REQUEST";

    private enum Phase { NotStarted, Backoff, ResetSent, Handshaking, Connected, Stopped }

    private readonly object _gate = new();
    private readonly SwarmOptions _options;
    private readonly SwarmStats _stats;
    private readonly ClientTlsSettings _identity;
    private readonly uint _pingTarget;
    private readonly uint _trafficTarget;
    private readonly SwarmSockets _sockets;
    private int _endpoint = -1;
    private Phase _phase;
    private SessionId _own;
    private SessionId _remote;
    private PacketIdSender? _replay;
    /// <summary>The server's reset asked for the tls-crypt-v2 WKc again in the first reliable packet (§4.4).</summary>
    private bool _resendWkc;
    private TimedReplayWindow? _replayWindow;
    private ClientHandshake? _handshake;
    private ClientHandshake? _keptTls;
    private DataChannelKeys? _keys;
    private DataChannelKeys? _oldKeys;
    private int _peerId = -1;
    private uint _tunAddress;
    private bool _compLzo;
    private bool _ccExit;
    private int _pingSeconds = 10;
    private int _pingRestartSeconds = 60;
    private long _attemptStart;
    private long _lastResetSent;
    private long _lastSend;
    private long _lastReceive;
    private long _nextIcmp;
    private long _retryAt;
    // A connected client with no handshake running needs no tick before this (its next keepalive, probe or
    // ping-restart deadline), so the engine's sweep skips it without taking its lock. 0 = tick every sweep.
    private long _quietUntil;
    private int _unsuccessful;
    /// <summary>True once this client gave up a handshake half-way (scenario abandon: once per client).</summary>
    private bool _abandoned;
    private ushort _icmpSequence;
    private uint _trafficSequence;

    public SimulatedClient(int index, SwarmOptions options, SwarmStats stats, SwarmSockets sockets)
    {
        Index = index;
        _sockets = sockets;
        _options = options;
        _stats = stats;
        _identity = options.Pki.Identities[index % options.Pki.Identities.Count];
        _pingTarget = options.PingTarget is null ? 0 : IcmpEcho.ToUInt32(options.PingTarget);
        _trafficTarget = options.TrafficTarget is null ? 0 : IcmpEcho.ToUInt32(options.TrafficTarget.Address);
        sockets.Attach(this);
    }

    public int Index { get; }
    public bool IsConnected { get { lock (_gate) return _phase == Phase.Connected; } }
    public bool EverConnected { get; private set; }

    /// <summary>At least one ICMP echo reply came back through this client's tunnel.</summary>
    public bool PingAnswered { get; private set; }

    /// <summary>The pushed tunnel address while connected.</summary>
    public IPAddress? TunnelAddress { get { lock (_gate) return _tunAddress == 0 ? null : new IPAddress(BitConverter.GetBytes(BinaryPrimitives.ReverseEndianness(_tunAddress))); } }

    public static long NowMs => Environment.TickCount64;

    /// <summary>The local UDP port of the client's current socket (0 when it has none).</summary>
    public int LocalPort { get { lock (_gate) return _sockets.LocalPort(_endpoint); } }

    /// <summary>Authentic control packets dropped because their tls-auth/tls-crypt packet-id was a replay.</summary>
    public int ControlReplaysDropped { get; private set; }

    /// <summary>Sockets this client has opened (one per connection attempt that started a new session).</summary>
    public int SocketsOpened { get; private set; }

    /// <summary>Opens the socket, starts its receive loop and sends the first hard reset.</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_phase != Phase.NotStarted) return;
            if (!OpenSocketLocked()) return;
            StartAttemptLocked(NowMs);
        }
    }

    /// <summary>
    /// Opens a new socket on a new ephemeral source port and then closes the current one (if any), like the real client
    /// with <c>nobind</c> on every restart; opening first means the kernel cannot hand out the old port again.
    /// False (and the client stopped) when no socket can be opened.
    /// </summary>
    private bool OpenSocketLocked()
    {
        int endpoint;
        try
        {
            endpoint = _sockets.Open(Index, _endpoint);
        }
        catch (IOException e)
        {
            CloseSocketLocked();
            _stats.Failure("socket", $"client {Index}: {e.Message}");
            _phase = Phase.Stopped;
            return false;
        }
        CloseSocketLocked();
        _endpoint = endpoint;
        SocketsOpened++;
        return true;
    }

    private void CloseSocketLocked()
    {
        _sockets.Close(_endpoint);
        _endpoint = -1;
    }

    // ---------------------------------------------------------------- attempts and teardown

    private void StartAttemptLocked(long now)
    {
        _own = SessionId.NewRandom();
        _remote = default;
        // A tls-crypt-v2 client marks early negotiation in its replay ids: the first is 0x0F000001 (§4.4).
        uint firstReplayId = _options.TlsCryptV2 is null ? 0 : TlsCryptV2Packet.EarlyNegotiationStart;
        _replay = _options.Wrapper.HasReplayId ? new PacketIdSender((uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds(), firstReplayId) : null;
        _resendWkc = false;
        // Receive-side replay window of the server's packet-ids, new with every session (like the server's per client).
        _replayWindow = _options.Wrapper.HasReplayId ? new TimedReplayWindow() : null;
        _attemptStart = now;
        _phase = Phase.ResetSent;
        SendHardResetLocked(now);
    }

    private void SendHardResetLocked(long now)
    {
        Span<byte> packet = stackalloc byte[ControlPacket.GetSize(0, true, 0)];
        var opcode = _options.TlsCryptV2 is null ? Opcode.ControlHardResetClientV2 : Opcode.ControlHardResetClientV3;
        ControlPacket.Write(packet, opcode, 0, _own, default, default, 0, default);
        SendControlLocked(packet);
        _lastResetSent = now;
    }

    /// <summary>Tears the session down and schedules the next attempt with OpenVPN's back-off.</summary>
    private void FailLocked(string reason, string detail, long now)
    {
        if (_phase is Phase.Stopped or Phase.Backoff or Phase.NotStarted) return;
        _stats.Failure(reason, $"client {Index}: {detail}");
        bool wasConnected = _phase == Phase.Connected;
        TearDownLocked();
        if (wasConnected) _unsuccessful = 0;
        _unsuccessful++;
        _phase = Phase.Backoff;
        _retryAt = now + ReconnectBackoff.DelaySeconds(_unsuccessful) * 1000L;
    }

    private void TearDownLocked()
    {
        if (_phase == Phase.Connected) _stats.Disconnected();
        _handshake?.Close();
        _handshake = null;
        _keptTls?.Close();
        _keptTls = null;
        _keys = null;
        _oldKeys = null;
        _peerId = -1;
        _tunAddress = 0;
    }

    /// <summary>Leaves (explicit exit notification when connected) and reconnects at once with a new session (churn).</summary>
    public void Reconnect(bool notifyExit)
    {
        lock (_gate)
        {
            if (_phase is Phase.Stopped or Phase.NotStarted) return;
            if (notifyExit && _phase == Phase.Connected) SendExitNotificationLocked();
            _quietUntil = 0;
            TearDownLocked();
            _unsuccessful = 0;
            // A restart is a new socket on a new source port (nobind); the old one is closed.
            if (OpenSocketLocked()) StartAttemptLocked(NowMs);
        }
    }

    /// <summary>
    /// Moves a connected client to a new source port and keeps its session, as a NAT that rebinds does; the next data
    /// packet (a keepalive ping, sent at once) tells the server the new address. False when it was not connected.
    /// </summary>
    public bool Float()
    {
        lock (_gate)
        {
            if (_phase != Phase.Connected) return false;
            if (!OpenSocketLocked()) return false;
            SendDataLocked(PingMessage.Bytes, NowMs);
            return true;
        }
    }

    /// <summary>Sends the exit notification (EXIT over TLS when the server pushed cc-exit and TLS is alive, else OCC_EXIT).</summary>
    public void NotifyExit()
    {
        lock (_gate)
        {
            if (_phase == Phase.Connected) SendExitNotificationLocked();
        }
    }

    private void SendExitNotificationLocked()
    {
        if (_ccExit && _keptTls is { Closed: false } tls)
        {
            _ = tls.Tls.SendCommandAsync("EXIT", CancellationToken.None).ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
            return;
        }
        Span<byte> occ = stackalloc byte[17];
        OccMessage.Magic.CopyTo(occ);
        occ[16] = OccMessage.Exit;
        SendDataLocked(occ, NowMs);
    }

    /// <summary>Stops the client for good and closes its socket.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            TearDownLocked();
            _phase = Phase.Stopped;
            CloseSocketLocked();
        }
    }

    // ---------------------------------------------------------------- timers

    /// <summary>Called by the engine's sweep: retransmits, timeouts, keepalive, ICMP probes, retries.</summary>
    public void Tick(long now)
    {
        if (now < Volatile.Read(ref _quietUntil)) return;
        lock (_gate)
        {
            _quietUntil = 0;
            switch (_phase)
            {
                case Phase.Backoff:
                    if (now >= _retryAt && OpenSocketLocked()) StartAttemptLocked(now);
                    break;
                case Phase.ResetSent:
                    if (now - _attemptStart > (long)_options.HandshakeTimeout.TotalMilliseconds)
                        FailLocked("handshake-timeout", "no answer to the hard reset", now);
                    else if (now - _lastResetSent >= ResetRetransmitMs)
                        SendHardResetLocked(now);
                    break;
                case Phase.Handshaking:
                    if (now - _attemptStart > (long)_options.HandshakeTimeout.TotalMilliseconds)
                    {
                        FailLocked("handshake-timeout", "TLS/key exchange not finished in time", now);
                        break;
                    }
                    TickHandshakeLocked(now);
                    break;
                case Phase.Connected:
                    if (_handshake is not null)
                    {
                        if (now - _handshake.StartedAt > (long)_options.HandshakeTimeout.TotalMilliseconds)
                        {
                            _stats.Failure("renegotiation-timeout", $"client {Index}: key-id {_handshake.KeyId}");
                            _handshake.Close();
                            _handshake = null;
                        }
                        else
                        {
                            TickHandshakeLocked(now);
                        }
                    }
                    if (_pingRestartSeconds > 0 && now - _lastReceive >= _pingRestartSeconds * 1000L)
                    {
                        FailLocked("ping-restart", $"nothing from the server for {_pingRestartSeconds} s", now);
                        break;
                    }
                    if (_pingTarget != 0 && now >= _nextIcmp)
                    {
                        SendEchoRequestLocked(now);
                        _nextIcmp = now + (long)_options.PingInterval.TotalMilliseconds;
                    }
                    if (_pingSeconds > 0 && now - _lastSend >= _pingSeconds * 1000L)
                        SendDataLocked(PingMessage.Bytes, now);
                    if (_handshake is null) Volatile.Write(ref _quietUntil, NextDeadlineLocked());
                    break;
            }
        }
    }

    private long NextDeadlineLocked()
    {
        long next = long.MaxValue;
        if (_pingRestartSeconds > 0) next = Math.Min(next, _lastReceive + _pingRestartSeconds * 1000L);
        if (_pingTarget != 0) next = Math.Min(next, _nextIcmp);
        if (_pingSeconds > 0) next = Math.Min(next, _lastSend + _pingSeconds * 1000L);
        return next;
    }

    private void TickHandshakeLocked(long now)
    {
        var hs = _handshake!;
        FlushLocked(hs, now);
        if (!hs.IsRenegotiation && hs.Keys is not null && hs.Reply is null && now - hs.LastPushRequestAt >= PushRequestIntervalMs)
        {
            hs.LastPushRequestAt = now;
            _ = SendCommandAsync(hs, PushRequest);
        }
    }

    // ---------------------------------------------------------------- receive

    /// <summary>A datagram that arrived on <paramref name="endpoint"/> (called on the <see cref="SwarmSockets"/> thread).</summary>
    internal void OnDatagram(int endpoint, ReadOnlySpan<byte> datagram)
    {
        long now = NowMs;
        lock (_gate)
        {
            if (endpoint != _endpoint) return;
            if (_phase is Phase.NotStarted or Phase.Stopped or Phase.Backoff) return;
            var opcode = PacketByte0.GetOpcode(datagram[0]);
            if (PacketByte0.IsData(opcode))
            {
                if (_phase == Phase.Connected) OnDataLocked(datagram, opcode, now);
                return;
            }
            if (!PacketByte0.IsControl(opcode)) return;
            Span<byte> plain = stackalloc byte[MaxDatagram];
            if (!_options.Wrapper.TryUnwrap(datagram, plain, out int length, out uint replayId, out uint replayTime)) return;
            // Replay check after the wrapper authenticated the packet (§3.2, read_control_auth()).
            if (_replayWindow is not null && !_replayWindow.TryAccept(replayId, replayTime))
            {
                ControlReplaysDropped++;
                _stats.ControlReplayed();
                return;
            }
            if (!ControlPacket.TryParse(plain[..length], out var packet)) return;
            _quietUntil = 0; // a control packet may start a renegotiation, whose retransmits need ticks
            OnControlLocked(packet, now);
        }
    }

    private void OnControlLocked(in ControlPacket packet, long now)
    {
        if (_phase == Phase.ResetSent)
        {
            if (packet.Opcode != Opcode.ControlHardResetServerV2 || packet.KeyId != 0) return;
            if (packet.AckCount == 0 || packet.RemoteSessionId != _own) return;
            _remote = packet.SessionId;
            _lastReceive = now;
            _resendWkc = _options.TlsCryptV2 is not null && TlsCryptV2Packet.TryReadEarlyNegotiation(packet.Payload, out bool resend) && resend;
            StartHandshakeLocked(keyId: 0, renegotiation: false, now);
            // ACK the server's reset (msg-pid 0) on the first CONTROL_V1, the ClientHello (§4.1).
            _handshake!.Link.Receiver.Receive(packet.Opcode, packet.MessageId, default);
            return;
        }
        if (packet.SessionId != _remote) return;
        if (packet.AckCount > 0 && packet.RemoteSessionId != _own) return;
        _lastReceive = now;

        var hs = _handshake;
        if (packet.Opcode == Opcode.ControlSoftResetV1 && _phase == Phase.Connected
            && (hs is null || hs.KeyId != packet.KeyId) && _keys is not null && packet.KeyId != _keys.KeyId)
        {
            // Server-initiated renegotiation: answer with our own soft reset (msg-pid 0 of the new key-id), then TLS.
            hs?.Close();
            StartHandshakeLocked(packet.KeyId, renegotiation: true, now);
            hs = _handshake!;
            hs.Link.Sender.Enqueue(Opcode.ControlSoftResetV1, []);
        }

        if (hs is null || hs.KeyId != packet.KeyId)
        {
            // A session without a running handshake (TLS dropped after PUSH_REPLY): still ACK what the server sends.
            if (packet.HasMessageId) SendBareAckLocked(packet.KeyId, packet.MessageId);
            return;
        }
        if (!hs.Link.OnPacket(packet, out _)) return;
        while (hs.Link.Receiver.TryDequeue(out var opcode, out var payload))
            if (opcode == Opcode.ControlV1 && payload.Length > 0) hs.Tls.Deliver(payload);
        FlushLocked(hs, now);
    }

    private void OnDataLocked(ReadOnlySpan<byte> datagram, Opcode opcode, long now)
    {
        int keyId = PacketByte0.GetKeyId(datagram[0]);
        var keys = _keys?.KeyId == keyId ? _keys : _oldKeys?.KeyId == keyId ? _oldKeys : null;
        if (keys is null) return;
        int headerLength = opcode == Opcode.DataV2 ? DataPacketHeader.V2Size : DataPacketHeader.V1Size;
        Span<byte> plain = stackalloc byte[MaxDatagram];
        if (!keys.Open.TryOpen(datagram, headerLength, plain, out int length, out uint packetId)) return;
        if (!keys.Replay.TryAccept(packetId)) return;
        _lastReceive = now;
        var payload = plain[..length];
        if (_compLzo)
        {
            if (payload.Length == 0 || payload[0] != 0xFA) return;
            payload = payload[1..];
        }
        if (PingMessage.Is(payload)) return;
        if (OccMessage.IsExit(payload))
        {
            FailLocked("server-exit", "the server sent OCC_EXIT", now);
            return;
        }
        if (_pingTarget != 0 && IcmpEcho.TryParseReply(payload, _tunAddress, out ushort id, out _, out var echo)
            && id == (ushort)Index && echo.Length >= 8)
        {
            long sentAt = BinaryPrimitives.ReadInt64BigEndian(echo);
            _stats.PingReply(Math.Max(0, System.Diagnostics.Stopwatch.GetElapsedTime(sentAt).TotalMilliseconds));
            PingAnswered = true;
        }
    }

    // ---------------------------------------------------------------- TLS sessions

    private void StartHandshakeLocked(int keyId, bool renegotiation, long now)
    {
        uint first = renegotiation ? 0u : 1u;
        var link = new ReliableLink(_own, _remote, keyId, first, first, initialTimeoutMs: 2000);
        ClientHandshake? hs = null;
        var tls = new TlsClientChannel(_identity, ciphertext => OnTlsOutput(hs!, ciphertext));
        hs = new ClientHandshake(link, tls, renegotiation) { StartedAt = now };
        _handshake = hs;
        if (!renegotiation) _phase = Phase.Handshaking;
        _ = Task.Run(() => RunTlsAsync(hs));
    }

    private void OnTlsOutput(ClientHandshake hs, byte[] ciphertext)
    {
        lock (_gate)
        {
            if (hs.Closed || (_handshake != hs && _keptTls != hs)) return;
            if (++hs.TlsWrites == 2 && !hs.IsRenegotiation && _options.Scenario == SwarmScenario.Abandon && !_abandoned)
            {
                // The server's first flight arrived; instead of answering, the client goes silent and starts over
                // from a new source port: the server keeps a handshake that will never finish.
                _abandoned = true;
                _stats.Abandoned();
                TearDownLocked();
                if (OpenSocketLocked()) StartAttemptLocked(NowMs);
                return;
            }
            hs.Link.EnqueueTls(ciphertext);
            FlushLocked(hs, NowMs);
        }
    }

    private async Task RunTlsAsync(ClientHandshake hs)
    {
        var ct = hs.Cancellation.Token;
        string stage = "tls";
        try
        {
            await hs.Tls.AuthenticateAsync(ct).ConfigureAwait(false);
            stage = "key-method-2";
            await hs.Tls.SendKeyMethod2Async(new KeyMethod2Message
            {
                Keys = hs.Own,
                Options = ClientOptionsString,
                PeerInfo = PeerInfoText(_options.DataCiphers),
            }, ct).ConfigureAwait(false);
            var server = await hs.Tls.ReadKeyMethod2Async(ct).ConfigureAwait(false);
            var keys = LegacyKeyExpansion.Derive(hs.Own, server.Keys, _own, _remote);
            if (hs.IsRenegotiation)
            {
                lock (_gate)
                {
                    if (hs.Closed || _handshake != hs) return;
                    InstallRenegotiatedKeysLocked(hs, keys);
                }
                return;
            }

            stage = "push";
            lock (_gate)
            {
                if (hs.Closed) return;
                hs.Keys = keys;
                hs.LastPushRequestAt = NowMs;
            }
            await SendCommandAsync(hs, PushRequest).ConfigureAwait(false);
            PushReply? reply = null;
            while (true)
            {
                var commands = await hs.Tls.ReadCommandsAsync(ct).ConfigureAwait(false);
                if (commands.Count == 0) throw new EndOfStreamException("TLS closed before PUSH_REPLY");
                foreach (var command in commands)
                {
                    if (PushReply.IsPushReply(command))
                    {
                        reply ??= new PushReply();
                        reply.Add(command);
                    }
                    else if (command.StartsWith("AUTH_FAILED", StringComparison.Ordinal))
                    {
                        lock (_gate) if (_handshake == hs) FailLocked("auth-failed", command, NowMs);
                        return;
                    }
                    else if (command.StartsWith("RESTART", StringComparison.Ordinal) || command.StartsWith("HALT", StringComparison.Ordinal))
                    {
                        lock (_gate) if (_handshake == hs) FailLocked("server-restart", command, NowMs);
                        return;
                    }
                }
                if (reply is { IsComplete: true }) break;
            }
            bool keep;
            lock (_gate)
            {
                if (hs.Closed || _handshake != hs) return;
                if (!TryConnectLocked(hs, keys, reply)) return;
                keep = _keptTls == hs;
            }
            if (keep) await ReadServerCommandsAsync(hs).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            lock (_gate)
            {
                if (hs.Closed) return;
                string reason = hs.Tls.RejectionReason is not null ? "server-certificate"
                    : e is AuthenticationException ? "tls-handshake"
                    : e is OperationCanceledException ? "handshake-timeout"
                    : stage == "tls" ? "tls-handshake" : $"{stage}-failed";
                string detail = hs.Tls.RejectionReason ?? $"{e.GetType().Name}: {e.Message}";
                if (hs.IsRenegotiation)
                {
                    _stats.Failure("renegotiation-" + reason, $"client {Index}: {detail}");
                    if (_handshake == hs) _handshake = null;
                    hs.Close();
                }
                else if (_handshake == hs || _keptTls == hs)
                {
                    FailLocked(reason, detail, NowMs);
                }
            }
        }
    }

    /// <summary>With --keep-tls: reads RESTART/HALT from the server after the session is up.</summary>
    private async Task ReadServerCommandsAsync(ClientHandshake hs)
    {
        while (true)
        {
            var commands = await hs.Tls.ReadCommandsAsync(hs.Cancellation.Token).ConfigureAwait(false);
            if (commands.Count == 0) return;
            foreach (var command in commands)
                if (command.StartsWith("RESTART", StringComparison.Ordinal) || command.StartsWith("HALT", StringComparison.Ordinal))
                {
                    lock (_gate) if (_keptTls == hs) FailLocked("server-restart", command, NowMs);
                    return;
                }
        }
    }

    private async Task SendCommandAsync(ClientHandshake hs, string command)
    {
        try
        {
            await hs.Tls.SendCommandAsync(command, hs.Cancellation.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or IOException or InvalidOperationException)
        {
            // The handshake is being torn down; its failure is reported by RunTlsAsync.
        }
    }

    private bool TryConnectLocked(ClientHandshake hs, KeyMaterial keys, PushReply reply)
    {
        long now = NowMs;
        if (reply.WantsTlsEkm)
        {
            FailLocked("push-reply-invalid", "server asks for tls-ekm but the client announced no TLS_KEY_EXPORT", now);
            return false;
        }
        var cipherName = reply.Cipher ?? _options.DataCiphers[0];
        var cipher = DataCipher.FindAny(cipherName);
        if (cipher is null || !_options.DataCiphers.Contains(cipher.Name, StringComparer.OrdinalIgnoreCase))
        {
            FailLocked("cipher-mismatch", $"pushed cipher '{cipherName}' is not in --data-ciphers", now);
            return false;
        }
        if (reply.Address is null)
        {
            FailLocked("push-reply-invalid", "no ifconfig in PUSH_REPLY", now);
            return false;
        }
        hs.Reply = reply;
        _keys = new DataChannelKeys(hs.KeyId, cipher, _options.Auth, keys);
        _peerId = reply.PeerId ?? -1;
        _tunAddress = IcmpEcho.ToUInt32(reply.Address);
        _compLzo = reply.CompLzoFraming;
        _ccExit = reply.CcExit;
        _pingSeconds = reply.Ping ?? 0;
        _pingRestartSeconds = reply.PingRestart ?? 0;
        _phase = Phase.Connected;
        _lastSend = _lastReceive = now;
        _nextIcmp = now;
        _unsuccessful = 0;
        EverConnected = true;
        _stats.Connected(now - _attemptStart);
        // Flush the ACK of the PUSH_REPLY, then drop the heavy objects unless asked to keep TLS.
        FlushLocked(hs, now);
        _handshake = null;
        if (_options.KeepTls) _keptTls = hs;
        else hs.Close();
        return true;
    }

    private void InstallRenegotiatedKeysLocked(ClientHandshake hs, KeyMaterial keys)
    {
        FlushLocked(hs, NowMs);
        var cipher = _keys!.Cipher;
        _oldKeys = _keys;
        _keys = new DataChannelKeys(hs.KeyId, cipher, _options.Auth, keys);
        _handshake = null;
        hs.Close();
        _stats.Renegotiated();
    }

    // ---------------------------------------------------------------- send

    private readonly List<byte[]> _outgoing = new();

    private void FlushLocked(ClientHandshake hs, long now)
    {
        // Before the ClientHello exists, hold the ACK of the server's reset so it rides on the ClientHello.
        if (!hs.IsRenegotiation && hs.Link.Sender.Outstanding == 0 && hs.Link.Receiver.NextExpected == 1
            && now - hs.StartedAt < 1000) return;
        _outgoing.Clear();
        hs.Link.Flush(now, _outgoing);
        foreach (var datagram in _outgoing) SendControlLocked(datagram);
        _outgoing.Clear();
    }

    private void SendBareAckLocked(int keyId, uint messageId)
    {
        Span<byte> packet = stackalloc byte[ControlPacket.GetSize(1, false, 0)];
        ControlPacket.Write(packet, Opcode.AckV1, keyId, _own, [messageId], _remote, 0, default);
        SendControlLocked(packet);
    }

    private void SendControlLocked(ReadOnlySpan<byte> packet)
    {
        var wrapper = _options.Wrapper;
        scoped ReadOnlySpan<byte> unwrapped = packet;
        // tls-crypt-v2: WKc goes in clear after the V3 reset and, when the server asked, after the first reliable
        // packet (key-id 0, msg-pid 1), which then is a P_CONTROL_WKC_V1 (write_control_auth(), tls_wrap_control()).
        var wrappedKey = ReadOnlySpan<byte>.Empty;
        Span<byte> rewritten = stackalloc byte[unwrapped.Length];
        if (_options.TlsCryptV2 is { } v2 && ControlPacket.TryParse(unwrapped, out var control))
        {
            if (control.Opcode == Opcode.ControlHardResetClientV3)
            {
                wrappedKey = v2.WrappedKey;
            }
            else if (_resendWkc && control.Opcode == Opcode.ControlV1 && control.KeyId == 0 && control.MessageId == 1)
            {
                unwrapped.CopyTo(rewritten);
                rewritten[0] = PacketByte0.Make(Opcode.ControlWkcV1, 0);
                unwrapped = rewritten;
                wrappedKey = v2.WrappedKey;
            }
        }
        Span<byte> wrapped = stackalloc byte[unwrapped.Length + wrapper.Overhead + wrappedKey.Length];
        int length;
        if (_replay is not null)
        {
            var id = _replay.Next();
            length = wrapper.Wrap(unwrapped, id.Id, id.Time, wrapped);
        }
        else
        {
            length = wrapper.Wrap(unwrapped, 0, 0, wrapped);
        }
        wrappedKey.CopyTo(wrapped[length..]);
        SendLocked(wrapped[..(length + wrappedKey.Length)]);
    }

    private bool SendDataLocked(ReadOnlySpan<byte> payload, long now)
    {
        var keys = _keys;
        if (keys is null) return false;
        Span<byte> plain = stackalloc byte[payload.Length + 1];
        scoped ReadOnlySpan<byte> body = payload;
        if (_compLzo)
        {
            plain[0] = 0xFA;
            payload.CopyTo(plain[1..]);
            body = plain;
        }
        int headerLength = _peerId >= 0 ? DataPacketHeader.V2Size : DataPacketHeader.V1Size;
        Span<byte> packet = stackalloc byte[headerLength + keys.MaxOverhead + body.Length];
        if (_peerId >= 0) DataPacketHeader.WriteV2(packet, keys.KeyId, _peerId);
        else packet[0] = PacketByte0.Make(Opcode.DataV1, keys.KeyId);
        int length = keys.Seal.Seal(packet, headerLength, ++keys.LastPacketId, body);
        _lastSend = now;
        return SendLocked(packet[..length]);
    }

    /// <summary>
    /// Sends one UDP datagram of <see cref="SwarmOptions.PayloadBytes"/> through the tunnel to <see cref="SwarmOptions.TrafficTarget"/>
    /// (called by the <see cref="TrafficSender"/> thread). The payload starts with the client's index and its datagram
    /// count (big-endian), so a sink can tell the senders apart.
    /// </summary>
    public TrafficSendResult SendTraffic()
    {
        var target = _options.TrafficTarget;
        if (target is null) return TrafficSendResult.NotConnected;
        int payloadBytes = Math.Max(8, _options.PayloadBytes);
        Span<byte> payload = stackalloc byte[payloadBytes];
        Span<byte> packet = stackalloc byte[UdpDatagram.HeaderSize + payloadBytes];
        lock (_gate)
        {
            if (_phase != Phase.Connected || _keys is null) return TrafficSendResult.NotConnected;
            payload.Clear();
            BinaryPrimitives.WriteInt32BigEndian(payload, Index);
            BinaryPrimitives.WriteUInt32BigEndian(payload[4..], ++_trafficSequence);
            int length = UdpDatagram.Write(packet, _tunAddress, TrafficSourcePort, _trafficTarget, (ushort)target.Port, payload, (ushort)_trafficSequence);
            return SendDataLocked(packet[..length], NowMs) ? TrafficSendResult.Sent : TrafficSendResult.Refused;
        }
    }

    /// <summary>The UDP source port of this client's traffic datagrams (one per client, so flows differ).</summary>
    public ushort TrafficSourcePort => (ushort)(10000 + Index % 50000);

    private void SendEchoRequestLocked(long now)
    {
        int payloadBytes = Math.Max(8, _options.PayloadBytes);
        Span<byte> echo = stackalloc byte[payloadBytes];
        echo.Clear();
        BinaryPrimitives.WriteInt64BigEndian(echo, System.Diagnostics.Stopwatch.GetTimestamp());
        Span<byte> packet = stackalloc byte[IcmpEcho.Ipv4HeaderSize + IcmpEcho.IcmpHeaderSize + payloadBytes];
        _icmpSequence++;
        int length = IcmpEcho.WriteRequest(packet, _tunAddress, _pingTarget, (ushort)Index, _icmpSequence, echo, _icmpSequence);
        SendDataLocked(packet[..length], now);
        _stats.PingSentOne();
    }

    private bool SendLocked(ReadOnlySpan<byte> datagram)
    {
        // A refusal (ECONNREFUSED from an earlier ICMP error, a full buffer) is ignored: UDP, like the real client, goes on.
        return _sockets.Send(Index, _endpoint, datagram);
    }

    // ---------------------------------------------------------------- what a 2.6 client announces

    /// <summary>A 2.6 client's options string (§5.4).</summary>
    public const string ClientOptionsString =
        "V4,dev-type tun,link-mtu 1541,tun-mtu 1500,proto UDPv4,auth SHA1,keysize 128,key-method 2,tls-client";

    /// <summary>
    /// IV_PROTO of a 2.6 client (990) without bit 3 TLS_KEY_EXPORT (8) and bit 9 DYN_TLS_CRYPT (512): the data
    /// keys come from the PRF, so the server must not choose TLS-EKM, and the dynamic tls-crypt key of
    /// renegotiations (§3.7) is itself a TLS-EKM export, which <see cref="System.Net.Security.SslStream"/> cannot make.
    /// </summary>
    public const int IvProto = 990 & ~8 & ~512;

    /// <summary>A 2.6 client's peer-info (§5.5), with IV_CIPHERS from <paramref name="ciphers"/>.</summary>
    public static string PeerInfoText(IReadOnlyList<string> ciphers) =>
        $"IV_VER=2.6.14\nIV_PLAT=linux\nIV_TCPNL=1\nIV_MTU=1600\nIV_NCP=2\nIV_CIPHERS={string.Join(':', ciphers)}\nIV_PROTO={IvProto}\n";
}
