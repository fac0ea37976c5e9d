using System.Buffers.Binary;
using FleetVpn.Protocol.Reliability;
using FleetVpn.Protocol.Wire;

namespace FleetVpn.Fuzz.Targets;

/// <summary>
/// A server's reliability layer fed a sequence of unwrapped control packets (each a 2-byte big-endian length and
/// the packet): ACKs into the send window (which holds three TLS packets in flight), messages into the receive
/// window, whatever is in order taken out, then the datagrams it answers with. The server's session id is the one
/// the first ACK block names, so that seeds from a capture reach the ACK handling.
/// </summary>
public sealed class ReliabilityTarget : IFuzzTarget
{
    public string Name => "reliability";

    public void Run(ReadOnlySpan<byte> input)
    {
        var own = new SessionId(0x0102030405060708);
        for (var rest = input; TryNext(ref rest, out var packetBytes);)
        {
            // Never 0: the server's own session id is random or a cookie, both valid (SessionCookie.Compute).
            if (ControlPacket.TryParse(packetBytes, out var p) && p.AckCount > 0 && p.RemoteSessionId.IsValid) { own = p.RemoteSessionId; break; }
        }
        ReliableLink? link = null;
        var datagrams = new List<byte[]>();
        long now = 0;
        for (var rest = input; TryNext(ref rest, out var packetBytes);)
        {
            if (!ControlPacket.TryParse(packetBytes, out var packet)) continue;
            if (link is null)
            {
                link = new ReliableLink(own, packet.SessionId, packet.KeyId, firstSendId: 0, firstExpected: 0, initialTimeoutMs: 2000);
                link.EnqueueTls(new byte[3 * ReliableLink.MaxTlsPayload]);
                link.Flush(now, datagrams);
            }
            link.OnPacket(packet, out _);
            while (link.Receiver.TryDequeue(out _, out _)) { }
            now += 500;
            link.Flush(now, datagrams);
        }
        foreach (var datagram in datagrams)
        {
            if (!ControlPacket.TryParse(datagram, out _))
                throw new FuzzInvariantException($"the reliability layer wrote a control packet that does not parse: {Convert.ToHexString(datagram.AsSpan(0, Math.Min(40, datagram.Length)))}");
        }
    }

    private static bool TryNext(ref ReadOnlySpan<byte> rest, out ReadOnlySpan<byte> packet)
    {
        packet = default;
        if (rest.Length < 2) return false;
        int length = Math.Min(BinaryPrimitives.ReadUInt16BigEndian(rest), rest.Length - 2);
        packet = rest.Slice(2, length);
        rest = rest[(2 + length)..];
        return true;
    }
}
