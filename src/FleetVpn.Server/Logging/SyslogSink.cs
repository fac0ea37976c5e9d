using System.Net.Sockets;
using System.Text;

namespace FleetVpn.Server.Logging;

/// <summary>
/// Sends each line to the local syslog socket (<c>/dev/log</c>, a unix datagram socket, as glibc's syslog(3) does)
/// as an RFC 3164 message (<see cref="SyslogMessage"/>). When the daemon restarted and the socket was recreated, the
/// next line reconnects; a line that still cannot be sent throws (the writer counts it as dropped).
/// </summary>
public sealed class SyslogSink : ILogSink
{
    public const string DefaultSocketPath = "/dev/log";

    private readonly string _socketPath;
    private readonly string _tag;
    private readonly int _pid = Environment.ProcessId;
    private Socket? _socket;

    public SyslogSink(string tag, string socketPath = DefaultSocketPath)
    {
        _tag = tag;
        _socketPath = socketPath;
    }

    /// <summary>Whether a syslog daemon listens on <paramref name="socketPath"/>; when not, why.</summary>
    public static bool IsReachable(string socketPath, out string reason)
    {
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
            reason = "";
            return true;
        }
        catch (SocketException e)
        {
            reason = e.Message;
            return false;
        }
    }

    public void Write(in LogEntry entry)
    {
        var datagram = Encoding.UTF8.GetBytes(SyslogMessage.Format(entry, _tag, _pid));
        try
        {
            Connected().Send(datagram);
        }
        catch (SocketException)
        {
            // The syslog daemon restarted (ECONNREFUSED) or its socket moved: one new connection, one more try.
            Disconnect();
            Connected().Send(datagram);
        }
    }

    public void Flush()
    {
    }

    public void Dispose() => Disconnect();

    private Socket Connected()
    {
        if (_socket is not null) return _socket;
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(_socketPath));
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return _socket = socket;
    }

    private void Disconnect()
    {
        _socket?.Dispose();
        _socket = null;
    }
}
