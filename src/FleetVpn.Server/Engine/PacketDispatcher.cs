using FleetVpn.Platform.Sockets;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using FleetVpn.Protocol.Messages;
using FleetVpn.Protocol.Wire;
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
        // The wrapper (tls-auth HMAC / tls-crypt) is checked first: nothing else is looked at, and no
        // state exists, for a packet that does not authenticate.
        if (!_server.Options.ControlWrapper.TryUnwrap(datagram, _unwrapped, out int length, out uint replayId, out uint replayTime))
        {
            ServerCounters.Increment(ref counters.WrapperRejected);
            return;
        }
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
        var endPoint = ServerContext.ToEndPoint(from);
        if (packet.Opcode == Opcode.ControlHardResetClientV2)
        {
            // Admission control: under a storm a new client is not answered (it retries) rather than queued.
            if (!_server.AdmitsHandshake)
            {
                ServerCounters.Increment(ref counters.HandshakesShed);
                return;
            }
            SendCookieReply(packet, from, endPoint);
            return;
        }
        if (packet.Opcode is not (Opcode.ControlV1 or Opcode.AckV1) || packet.AckCount == 0
            || !_server.Cookie.Verify(endPoint, packet.SessionId, packet.RemoteSessionId, ServerContext.UnixSeconds))
        {
            if (packet.AckCount == 0) ServerCounters.Increment(ref counters.UnknownSource);
            else ServerCounters.Increment(ref counters.BadCookie);
            return;
        }
        // A client that reconnects from the same address replaces its old session.
        session?.Close("replaced by a new session from the same address", level: 3);
        var fresh = new ClientSession(_server, _worker, PeerAddress.From(from), packet.RemoteSessionId, packet.SessionId);
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

    /// <summary>P_CONTROL_HARD_RESET_SERVER_V2 with the cookie as our session id; nothing is stored.</summary>
    private void SendCookieReply(in ControlPacket reset, SocketAddress from, IPEndPoint endPoint)
    {
        if (reset.MessageId != 0 || reset.AckCount != 0)
        {
            ServerCounters.Increment(ref _server.Counters.Malformed);
            return;
        }
        var cookie = _server.Cookie.Compute(endPoint, reset.SessionId, ServerContext.UnixSeconds);
        Span<uint> ack = [reset.MessageId];
        int n = ControlPacket.Write(_reply, Opcode.ControlHardResetServerV2, 0, cookie, ack, reset.SessionId, 0, default);
        // A fresh replay counter: this reply is packet-id 1; the session, if it comes, goes on from 2.
        n = _server.Options.ControlWrapper.Wrap(_reply.AsSpan(0, n), 1, (uint)ServerContext.UnixSeconds, _wrappedReply);
        ServerCounters.Increment(ref _server.Counters.CookieReplies);
        _server.Send(_wrappedReply.AsSpan(0, n), from);
    }
}
