using FleetVpn.Protocol.Messages;
using FleetVpn.Server.Sessions;

namespace FleetVpn.Server.Engine;

/// <summary>
/// What a session's wake-up in its worker's timing wheel does: control retransmissions and the end of the
/// handshake's grace period, renegotiation, keepalive pings and ping-restart expiry; and when it wakes next.
/// A connected idle client wakes once per keepalive interval and costs nothing in between.
/// </summary>
public sealed class SessionTimers
{
    /// <summary>How often a session with control traffic in flight is looked at (retransmissions, OpenVPN's 1 s granularity or better).</summary>
    public const int ControlPollMs = 200;

    private readonly ServerContext _server;
    private readonly byte[] _framed = new byte[1 + 16];
    private readonly byte[] _packet = new byte[128];

    public SessionTimers(ServerContext server)
    {
        _server = server;
        PingMessage.Bytes.CopyTo(_framed.AsSpan(1));
    }

    /// <summary>Runs what is due for <paramref name="session"/>; returns when it wakes next (long.MaxValue: never).</summary>
    public long Fire(ClientSession session, long now)
    {
        try
        {
            session.OnTimer(now);
            if (session.State == SessionState.Established)
            {
                var o = _server.Options;
                // The server itself waits twice the ping-restart it pushes, as OpenVPN's keepalive does.
                if (o.KeepaliveRestart > 0 && now - session.LastReceivedMs > 2000L * o.KeepaliveRestart)
                {
                    session.Close($"ping-restart: nothing received for {2 * o.KeepaliveRestart}s");
                    return long.MaxValue;
                }
                if (o.KeepalivePing > 0 && now - session.LastSentMs >= 1000L * o.KeepalivePing)
                    session.SendData(_framed, _packet);
            }
            return session.NextWakeMs(now, ControlPollMs);
        }
        catch (Exception e)
        {
            _server.Log.Info($"{session.Name} timer failed: {e.Message}", "timer-error");
            return now + 1000;
        }
    }
}
