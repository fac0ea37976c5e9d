using FleetVpn.Platform.Sockets;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using FleetVpn.Protocol.Messages;
using FleetVpn.Protocol.Wire;
using FleetVpn.Protocol.Wrapping;
using FleetVpn.Server.Diagnostics;
using FleetVpn.Server.Routing;
using FleetVpn.Server.Sessions;

namespace FleetVpn.Server.Engine;

/// <summary>
/// Classifies each UDP datagram and hands it on: data packets to their session's keys and then
/// the tun; control packets to their session, or, from an unknown source, to the stateless
/// cookie gate (§4) which creates a session only for a client that echoed a valid cookie.
/// Never throws for bad input: every drop is counted. One per worker: a datagram for a session of another
/// worker is passed to that worker (<see cref="Worker.Post"/>) before anything of it is looked at.
/// </summary>
public sealed class PacketDispatcher
{
    private readonly ServerContext _server;
    private readonly Worker _worker;
    private readonly byte[] _plaintext = new byte[65536];
    private readonly byte[] _reply = new byte[64];
    /// <summary>Scratch for a tls-crypt-v2 client key (Kc) unwrapped from a WKc, wiped after each packet.</summary>
    private readonly byte[] _clientKey = new byte[TlsCryptV2ServerKey.ClientKeySize];
    private readonly byte[] _clientKeyMetadata = new byte[TlsCryptV2ServerKey.MaxMetadataSize];
    private readonly byte[] _forward = new byte[65536 + 128];
    private readonly byte[] _wrappedReply = new byte[256];
    private readonly byte[] _unwrapped = new byte[65536 + 8];

    public PacketDispatcher(ServerContext server, Worker worker)
    {
        _server = server;
        _worker = worker;
    }

    /// <summary>True while the worker dispatches datagrams another worker handed to it.</summary>
    internal bool HandlingInbox { get; set; }

    /// <summary>True (and the datagram passed on) when <paramref name="owner"/> is another worker.</summary>
    private bool HandOff(Worker owner, ReadOnlySpan<byte> datagram, SocketAddress from)
    {
        if (owner == _worker) return false;
        owner.Post(datagram, from);
        _worker.CountHandOff();
        return true;
    }

    public void OnDatagram(ReadOnlySpan<byte> datagram, SocketAddress from)
    {
        if (datagram.Length == 0)
        {
            ServerCounters.Increment(ref _server.Counters.Malformed);
            return;
        }
        var opcode = PacketByte0.GetOpcode(datagram[0]);
        if (PacketByte0.IsData(opcode)) OnData(datagram, from, opcode);
        else OnControl(datagram, from);
    }

    private void OnData(ReadOnlySpan<byte> packet, SocketAddress from, Opcode opcode)
    {
        var counters = _server.Counters;
        ClientSession? session;
        int header;
        if (opcode == Opcode.DataV2)
        {
            if (packet.Length < DataPacketHeader.V2Size) { ServerCounters.Increment(ref counters.Malformed); return; }
            session = _server.Sessions.ByPeerId(DataPacketHeader.ReadPeerId(packet));
            header = DataPacketHeader.V2Size;
        }
        else
        {
            session = _server.Sessions.ByAddress(from);
            header = DataPacketHeader.V1Size;
        }
        if (session is not null && HandOff(session.Owner, packet, from)) return;
        var keys = session?.KeysFor(PacketByte0.GetKeyId(packet[0]));
        if (session is null || keys is null)
        {
            ServerCounters.Increment(ref counters.UnknownSource);
            return;
        }
        // Decrypt one byte in, so that the byte before the payload can take comp-lzo framing
        // if the packet goes straight on to another client (client-to-client).
        if (!keys.Decryptor.TryOpen(packet, header, _plaintext.AsSpan(1), out int length, out uint packetId))
        {
            ServerCounters.Increment(ref counters.AuthenticationFailed);
            return;
        }
        if (!keys.AcceptPacketId(packetId))
        {
            ServerCounters.Increment(ref counters.Replayed);
            return;
        }
        if (!session.RemoteAddress.Equals(PeerAddress.From(from)))
        {
            // Only P_DATA_V2 names its session; a V1 packet from elsewhere found none above.
            if (_server.Sessions.ByAddress(from) is { } other && other != session) { ServerCounters.Increment(ref counters.SpoofedSource); return; }
            session.Float(from, handedOver: HandlingInbox);
        }
        session.LastReceivedMs = ServerContext.NowMs;
        Interlocked.Add(ref session.BytesReceived, packet.Length);

        int start = 1;
        if (session.CompLzoFraming)
        {
            if (_plaintext[1] != CompLzo.NotCompressed) { ServerCounters.Increment(ref counters.UnsupportedPayload); return; }
            start = 2;
            length--;
        }
        var payload = _plaintext.AsSpan(start, length);
        if (PingMessage.Is(payload)) return;
        if (OccMessage.IsOcc(payload))
        {
            if (OccMessage.IsExit(payload)) session.Close("client exit notification (OCC_EXIT)");
            return;
        }
        if (payload.Length < 20 || payload[0] >> 4 != 4)
        {
            ServerCounters.Increment(ref counters.UnsupportedPayload);
            return;
        }
        if (!session.OwnsSource(BinaryPrimitives.ReadUInt32BigEndian(payload[12..])))
        {
            ServerCounters.Increment(ref counters.SpoofedSource);
            _server.Log.Write(4, $"{session.Name} dropped packet with source address not its own", "spoofed");
            return;
        }
        if (session.MaxMss > 0) TcpMssClamp.Apply(payload, session.MaxMss);
        if (_server.Options.ClientToClient
            && _server.Sessions.ByDestination(BinaryPrimitives.ReadUInt32BigEndian(payload[16..])) is { } target)
        {
            // client-to-client: routed inside the server, never through the tun.
            if (target.MaxMss > 0) TcpMssClamp.Apply(payload, target.MaxMss);
            target.SendData(_plaintext.AsSpan(start - 1, length + 1), _forward);
            return;
        }
        _server.Tun.Write(_worker.TunQueue, payload);
    }

    private void OnControl(ReadOnlySpan<byte> datagram, SocketAddress from)
    {
        var counters = _server.Counters;
        var session = _server.Sessions.ByAddress(from);
        if (session is not null && HandOff(session.Owner, datagram, from)) return;
        // The wrapper (tls-auth HMAC / tls-crypt / the client's tls-crypt-v2 key) is checked first: nothing else is
        // looked at, and no state exists, for a packet that does not authenticate.
        var opcode = PacketByte0.GetOpcode(datagram[0]);
        ClientKey? clientKey = null;
        try
        {
            if (opcode is Opcode.ControlHardResetClientV3 or Opcode.ControlWkcV1)
            {
                if (!TryUnwrapWithClientKey(datagram, from, session, opcode, ref clientKey, out int length, out uint replayId, out uint replayTime)) return;
                OnUnwrappedControl(length, replayId, replayTime, from, session, clientKey);
            }
            else if (TryUnwrap(datagram, session, out int length, out uint replayId, out uint replayTime))
            {
                OnUnwrappedControl(length, replayId, replayTime, from, session, clientKey: null);
            }
            else
            {
                ServerCounters.Increment(ref counters.WrapperRejected);
            }
        }
        finally
        {
            clientKey?.Dispose();
        }
    }

    /// <summary>A tls-crypt-v2 client key (Kc) unwrapped from a packet's WKc: its wrapper and its compact form for a session.</summary>
    private sealed class ClientKey(byte[] compact) : IDisposable
    {
        public byte[] Compact { get; } = compact;

        public TlsCryptWrapper Wrapper { get; } = TlsCryptWrapper.FromCompactKey(compact, isServer: true);

        public void Dispose()
        {
            Wrapper.Dispose();
            CryptographicOperations.ZeroMemory(Compact);
        }
    }

    /// <summary>
    /// A packet of the session at its address with the session's wrapper; else (a new client from that address) with
    /// the server's tls-auth / tls-crypt, unless tls-crypt-v2 stands alone (no packet goes unwrapped then).
    /// </summary>
    private bool TryUnwrap(ReadOnlySpan<byte> datagram, ClientSession? session, out int length, out uint replayId, out uint replayTime)
    {
        if (session is not null && session.TryUnwrapControl(datagram, _unwrapped, out length, out replayId, out replayTime)) return true;
        if ((session is null || session.UsesTlsCryptV2) && _server.Options.StaticWrapperAccepted)
            return _server.Options.ControlWrapper.TryUnwrap(datagram, _unwrapped, out length, out replayId, out replayTime);
        length = 0;
        replayId = replayTime = 0;
        return false;
    }

    /// <summary>
    /// P_CONTROL_HARD_RESET_CLIENT_V3 / P_CONTROL_WKC_V1 (§3.5, <c>tls_crypt_v2_extract_client_key()</c>): WKc is split
    /// off the end and unwrapped with the server key (counted and dropped if it does not authenticate), its metadata
    /// checked against tls-crypt-v2-max-age, and the packet unwrapped with the Kc it held (<paramref name="clientKey"/>,
    /// which the caller disposes). A WKC_V1 from a session that has its Kc already (a retransmitted third packet) is
    /// unwrapped with the session's key and its WKc ignored. A WKC_V1 comes out as the P_CONTROL_V1 it carries.
    /// </summary>
    private bool TryUnwrapWithClientKey(ReadOnlySpan<byte> datagram, SocketAddress from, ClientSession? session, Opcode opcode,
        ref ClientKey? clientKey, out int length, out uint replayId, out uint replayTime)
    {
        var counters = _server.Counters;
        length = 0;
        replayId = replayTime = 0;
        if (_server.Options.TlsCryptV2 is not { } serverKey || !TlsCryptV2Packet.TrySplit(datagram, out int packetLength))
        {
            ServerCounters.Increment(ref counters.WrapperRejected);
            return false;
        }
        var packetPart = datagram[..packetLength];
        if (opcode == Opcode.ControlWkcV1 && session is { UsesTlsCryptV2: true } && session.RemoteSessionId == SessionId.Read(datagram[1..]))
        {
            if (!session.TryUnwrapControl(packetPart, _unwrapped, out length, out replayId, out replayTime))
            {
                ServerCounters.Increment(ref counters.WrapperRejected);
                return false;
            }
        }
        else
        {
            try
            {
                if (!serverKey.TryUnwrapClientKey(datagram[packetLength..], _clientKey, _clientKeyMetadata, out int metadataLength))
                {
                    ServerCounters.Increment(ref counters.TlsCryptV2KeyRejected);
                    return false;
                }
                int maxAge = _server.Options.TlsCryptV2MaxAgeDays;
                if (maxAge > 0 && !TlsCryptV2Metadata.IsWithinMaxAge(_clientKeyMetadata.AsSpan(0, metadataLength), maxAge, ServerContext.UnixSeconds))
                {
                    ServerCounters.Increment(ref counters.TlsCryptV2KeyExpired);
                    string age = TlsCryptV2Metadata.TryGetTimestamp(_clientKeyMetadata.AsSpan(0, metadataLength), out long created)
                        ? $"made {DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(created, -62135596800, 253402300799)):u}, older than tls-crypt-v2-max-age {maxAge} days"
                        : "its metadata has no timestamp (tls-crypt-v2-max-age needs one)";
                    _server.Log.Info($"{ServerContext.Describe(ServerContext.ToEndPoint(from))}: tls-crypt-v2 client key refused: {age}", "tls-crypt-v2-max-age");
                    return false;
                }
                clientKey = new ClientKey(TlsCryptWrapper.CompactKey(_clientKey, isServer: true));
            }
            finally
            {
                CryptographicOperations.ZeroMemory(_clientKey);
                CryptographicOperations.ZeroMemory(_clientKeyMetadata);
            }
            if (!clientKey.Wrapper.TryUnwrap(packetPart, _unwrapped, out length, out replayId, out replayTime))
            {
                ServerCounters.Increment(ref counters.WrapperRejected);
                return false;
            }
        }
        if (opcode == Opcode.ControlWkcV1) _unwrapped[0] = PacketByte0.Make(Opcode.ControlV1, PacketByte0.GetKeyId(_unwrapped[0]));
        return true;
    }

    /// <summary>
    /// A control packet that authenticated: to its session, or through the cookie exchange (§4) to a new one.
    /// <paramref name="clientKey"/>: the tls-crypt-v2 client key it came with, when it came with one.
    /// </summary>
    private void OnUnwrappedControl(int length, uint replayId, uint replayTime, SocketAddress from, ClientSession? session, ClientKey? clientKey)
    {
        var counters = _server.Counters;
        if (!ControlPacket.TryParse(_unwrapped.AsSpan(0, length), out var packet))
        {
            ServerCounters.Increment(ref counters.Malformed);
            return;
        }
        if (session is not null && session.RemoteSessionId == packet.SessionId)
        {
            session.OnControlPacket(packet, replayId, replayTime);
            _worker.Schedule(session, ServerContext.NowMs + SessionTimers.ControlPollMs);
            return;
        }
        if (packet.KeyId != 0)
        {
            ServerCounters.Increment(ref counters.UnknownSource);
            return;
        }
        if (packet.Opcode is Opcode.ControlHardResetClientV2 or Opcode.ControlHardResetClientV3)
        {
            // Admission control: under a storm a new client is not answered (it retries) rather than queued.
            if (!_server.AdmitsHandshake)
            {
                ServerCounters.Increment(ref counters.HandshakesShed);
                return;
            }
            bool resendWkc = clientKey is not null;
            // A tls-crypt-v2 client that cannot resend its key in the third packet (no early-negotiation marker in
            // the replay id, §4.4) would need state kept now: refused, as OpenVPN's force-cookie does.
            if (resendWkc && !TlsCryptV2Packet.MarksEarlyNegotiation(replayId))
            {
                ServerCounters.Increment(ref counters.TlsCryptV2WithoutCookie);
                return;
            }
            SendCookieReply(packet, from, clientKey?.Wrapper ?? _server.Options.ControlWrapper, resendWkc);
            return;
        }
        if (packet.Opcode is not (Opcode.ControlV1 or Opcode.AckV1) || packet.AckCount == 0)
        {
            if (packet.AckCount == 0) ServerCounters.Increment(ref counters.UnknownSource);
            else ServerCounters.Increment(ref counters.BadCookie);
            return;
        }
        var source = PeerAddress.From(from);
        Span<byte> address = stackalloc byte[16];
        int addressLength = source.WriteAddress(address);
        if (!_server.Cookie.Verify(address[..addressLength], source.Port, packet.SessionId, packet.RemoteSessionId, ServerContext.UnixSeconds))
        {
            ServerCounters.Increment(ref counters.BadCookie);
            return;
        }
        var endPoint = source.ToEndPoint();
        // connect-freq: a client past it is not answered now; its retransmission comes back with the same cookie.
        if (!_server.RateLimits.AdmitsNewClient(from, ServerContext.NowMs)) return;
        // A client that reconnects from the same address replaces its old session.
        session?.Close("replaced by a new session from the same address", level: 3);
        var fresh = new ClientSession(_worker, source, packet.RemoteSessionId, packet.SessionId, clientKey?.Compact);
        // At max-clients a handshake left half-done by a client that went quiet gives its place to the new one.
        if (!_server.Sessions.TryAdd(fresh) && !(_worker.EvictStalledHandshake() && _server.Sessions.TryAdd(fresh)))
        {
            ServerCounters.Increment(ref counters.RefusedMaxClients);
            _server.Log.Info($"{ServerContext.Describe(endPoint)} refused: max-clients {_server.Options.MaxClients} reached", "max-clients");
            return;
        }
        _server.Log.Write(3, $"{ServerContext.Describe(endPoint)}: new session {packet.SessionId} (cookie verified)");
        fresh.Start();
        fresh.OnControlPacket(packet, replayId, replayTime);
        _worker.Schedule(fresh, ServerContext.NowMs + SessionTimers.ControlPollMs);
    }

    /// <summary>
    /// P_CONTROL_HARD_RESET_SERVER_V2 with the cookie as our session id, wrapped with <paramref name="wrapper"/>; nothing
    /// is stored. <paramref name="resendWkc"/>: the payload asks a tls-crypt-v2 client for its WKc again (§4.4).
    /// </summary>
    private void SendCookieReply(in ControlPacket reset, SocketAddress from, IControlWrapper wrapper, bool resendWkc)
    {
        if (reset.MessageId != 0 || reset.AckCount != 0)
        {
            ServerCounters.Increment(ref _server.Counters.Malformed);
            return;
        }
        // connect-freq-initial: the reply goes to an address nobody vouched for; its rate is bounded against reflection.
        // Checked before anything is allocated, so that a flood past it costs no memory.
        if (!_server.RateLimits.AdmitsInitialReply(from, ServerContext.NowMs)) return;
        var source = PeerAddress.From(from);
        Span<byte> address = stackalloc byte[16];
        int addressLength = source.WriteAddress(address);
        var cookie = _server.Cookie.Compute(address[..addressLength], source.Port, reset.SessionId, ServerContext.UnixSeconds);
        Span<uint> ack = [reset.MessageId];
        var payload = resendWkc ? TlsCryptV2Packet.ResendWkcTlv : default;
        int n = ControlPacket.Write(_reply, Opcode.ControlHardResetServerV2, 0, cookie, ack, reset.SessionId, 0, payload);
        // A fresh replay counter: this reply is packet-id 1; the session, if it comes, goes on from 2.
        n = wrapper.Wrap(_reply.AsSpan(0, n), 1, (uint)ServerContext.UnixSeconds, _wrappedReply);
        ServerCounters.Increment(ref _server.Counters.CookieReplies);
        _server.Send(_wrappedReply.AsSpan(0, n), from);
    }
}
