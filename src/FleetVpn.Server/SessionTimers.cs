using FleetVpn.Protocol.Messages;
using FleetVpn.Server.Sessions;

namespace FleetVpn.Server;

/// <summary>
/// The engine's clock: control retransmissions (every 200 ms), keepalive pings and ping-restart
/// expiry (every second). A timing wheel per worker replaces the sweep when the table is large.
/// </summary>
public sealed class SessionTimers
{
    private readonly ServerContext _server;
    private readonly byte[] _framed = new byte[1 + 16];
    private readonly byte[] _packet = new byte[128];

    public SessionTimers(ServerContext server)
    {
        _server = server;
        PingMessage.Bytes.CopyTo(_framed.AsSpan(1));
    }

    public void Run(CancellationToken cancellation)
    {
        long nextSecond = 0;
        while (!cancellation.WaitHandle.WaitOne(200))
        {
            long now = ServerContext.NowMs;
            bool everySecond = now >= nextSecond;
            if (everySecond) nextSecond = now + 1000;
            // Through the peer-id array, not the address dictionary: enumerating a ConcurrentDictionary's Values
            // takes all its locks and copies every session into a new list, five times a second.
            var sessions = _server.Sessions;
            for (int peerId = 0; peerId < sessions.PeerIdCapacity; peerId++)
            {
                if (sessions.ByPeerId(peerId) is not { } session) continue;
                try
                {
                    Tick(session, now, everySecond);
                }
                catch (Exception e)
                {
                    _server.Log.Info($"{session.Name}: timer failed: {e.Message}", "timer-error");
                }
            }
        }
    }

    private void Tick(ClientSession session, long now, bool everySecond)
    {
        session.OnTimer(now);
        if (!everySecond || session.State != SessionState.Established) return;
        var o = _server.Options;
        // The server itself waits twice the ping-restart it pushes, as OpenVPN's keepalive does.
        if (o.KeepaliveRestart > 0 && now - session.LastReceivedMs > 2000L * o.KeepaliveRestart)
        {
            session.Close($"ping-restart: nothing received for {2 * o.KeepaliveRestart}s");
            return;
        }
        if (o.KeepalivePing > 0 && now - session.LastSentMs >= 1000L * o.KeepalivePing)
            session.SendData(_framed, _packet);
    }
}
