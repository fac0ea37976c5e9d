using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A script's connection to a server's management interface: TCP to 127.0.0.1 inside the server's namespace
/// (the socket is made there, <see cref="NamespaceSockets"/>), or a unix socket. Everything received is kept, so
/// a test can wait for a reply or a notification and still see what came before it.
/// </summary>
public sealed class ManagementClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly StringBuilder _received = new();
    private readonly Lock _gate = new();
    private readonly Task _reader;
    private int _consumed;

    private ManagementClient(Socket socket)
    {
        _socket = socket;
        _reader = Task.Run(ReadLoopAsync);
    }

    /// <summary>Connects to 127.0.0.1:<paramref name="port"/> in namespace <paramref name="ns"/> (retrying while the listener comes up, at most 10 s).</summary>
    public static async Task<ManagementClient> ConnectTcpAsync(string ns, int port)
    {
        for (int attempt = 0; ; attempt++)
        {
            var socket = NamespaceSockets.Tcp(ns);
            try
            {
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
                return new ManagementClient(socket);
            }
            catch (SocketException) when (attempt < 50)
            {
                socket.Dispose();
                await Task.Delay(200);
            }
        }
    }

    public static async Task<ManagementClient> ConnectUnixAsync(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path));
        return new ManagementClient(socket);
    }

    /// <summary>All text received so far.</summary>
    public string Received
    {
        get { lock (_gate) return _received.ToString(); }
    }

    /// <summary>True once the server closed the connection.</summary>
    public bool Closed { get; private set; }

    public Task SendAsync(string line) => _socket.SendAsync(Encoding.UTF8.GetBytes(line + "\n"), SocketFlags.None);

    /// <summary>
    /// Waits until <paramref name="text"/> arrives after what earlier waits consumed; returns the text from there up to
    /// and including it, and consumes it. Null when it did not come within <paramref name="timeout"/>.
    /// </summary>
    public async Task<string?> WaitForAsync(string text, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            lock (_gate)
            {
                var all = _received.ToString();
                int at = all.IndexOf(text, _consumed, StringComparison.Ordinal);
                if (at >= 0)
                {
                    var part = all[_consumed..(at + text.Length)];
                    _consumed = at + text.Length;
                    return part;
                }
            }
            if (Closed || clock.Elapsed > timeout) return null;
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Sends a command and returns its reply, up to and including <paramref name="end"/> (a SUCCESS/ERROR line: "\r\n"),
    /// without the real-time lines (client notifications, log and byte counts) that arrived in between: they stay for <see cref="WaitForAsync"/>.
    /// </summary>
    public async Task<string> CommandAsync(string command, string end = "\r\n", TimeSpan? timeout = null)
    {
        int from;
        lock (_gate) from = _received.Length;
        await SendAsync(command);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < (timeout ?? TimeSpan.FromSeconds(10)) && !Closed)
        {
            string reply;
            // Complete lines only (the last piece of the split is what follows the last CRLF).
            lock (_gate) reply = string.Concat(_received.ToString()[from..].Split("\r\n").SkipLast(1)
                .Where(l => !IsRealTime(l)).Select(l => l + "\r\n"));
            int at = reply.IndexOf(end, StringComparison.Ordinal);
            if (at >= 0) return reply[..(at + end.Length)];
            await Task.Delay(50);
        }
        throw new TimeoutException($"no reply to '{command}' ending with {Escape(end)}; received so far:\n{Received}");
    }

    /// <summary>A notification that may arrive between a command and its reply (not >INFO, which a reply may be).</summary>
    private static bool IsRealTime(string line) =>
        line.StartsWith(">CLIENT:", StringComparison.Ordinal) || line.StartsWith(">LOG:", StringComparison.Ordinal)
        || line.StartsWith(">BYTECOUNT", StringComparison.Ordinal);

    public static string Escape(string text) => text.Replace("\r", "\\r").Replace("\n", "\\n");

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[65536];
        try
        {
            while (true)
            {
                int n = await _socket.ReceiveAsync(buffer, SocketFlags.None);
                if (n == 0) break;
                lock (_gate) _received.Append(Encoding.UTF8.GetString(buffer, 0, n));
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
        Closed = true;
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        await _reader;
    }
}
