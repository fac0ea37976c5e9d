using System.Buffers.Binary;
using FleetVpn.Server.Diagnostics;

namespace FleetVpn.Server;

/// <summary>
/// Packets from the tun go to the client that owns the destination address (topology subnet):
/// one thread reads the device, finds the session and seals the packet for it.
/// </summary>
public sealed class TunForwarder
{
    private const int Headroom = 1; // comp-lzo framing byte
    private readonly ServerContext _server;
    private readonly byte[] _framed = new byte[Headroom + 65536];
    private readonly byte[] _packet = new byte[65536 + 64];

    public TunForwarder(ServerContext server) => _server = server;

    public void Run(CancellationToken cancellation)
    {
        var tun = _server.Tun;
        while (!cancellation.IsCancellationRequested)
        {
            int length;
            try
            {
                length = tun.Read(_framed.AsSpan(Headroom), timeoutMs: 500);
            }
            catch (IOException e)
            {
                _server.Log.Info($"tun read failed: {e.Message}", "tun-read");
                Thread.Sleep(100);
                continue;
            }
            if (length == 0) continue;
            Forward(_framed.AsSpan(0, Headroom + length));
        }
    }

    private void Forward(Span<byte> framed)
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
