using System.Buffers.Binary;
using FleetVpn.Server.Diagnostics;

namespace FleetVpn.Server.Engine;

/// <summary>
/// A packet from the tun goes to the client that owns its destination address (topology subnet): the worker that
/// read it finds the session and seals the packet for it.
/// </summary>
public sealed class TunForwarder
{
    private const int Headroom = 1; // comp-lzo framing byte
    private readonly ServerContext _server;
    private readonly byte[] _packet = new byte[65536 + 64];

    public TunForwarder(ServerContext server) => _server = server;

    /// <summary>Forwards one packet; <paramref name="framed"/> has one spare byte in front of the IP packet.</summary>
    public void Forward(Span<byte> framed)
    {
        var ip = framed[Headroom..];
        if (ip.Length < 20 || ip[0] >> 4 != 4)
        {
            ServerCounters.Increment(ref _server.Counters.NoRoute);
            return;
        }
        uint destination = BinaryPrimitives.ReadUInt32BigEndian(ip[16..]);
        var session = _server.Sessions.ByDestination(destination);
        if (session is null)
        {
            ServerCounters.Increment(ref _server.Counters.NoRoute);
            return;
        }
        if (session.MaxMss > 0) Routing.TcpMssClamp.Apply(ip, session.MaxMss);
        session.SendData(framed, _packet);
    }
}
