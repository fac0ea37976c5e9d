using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FleetVpn.Server.Metrics;

/// <summary>
/// `metrics ADDRESS PORT`: answers GET requests (<c>/metrics</c>, the dashboard and its data; see
/// <see cref="MetricsSite"/>) one per connection.
/// </summary>
/// <remarks>
/// A bare socket, not <see cref="HttpListener"/>: HttpListener matches the Host header against its prefix, so a
/// listener on 0.0.0.0 would refuse a scrape addressed to the machine's own name or address. Prometheus sends one
/// small GET; at most <see cref="MaxConcurrentRequests"/> are served at once and each is bounded in size and time,
/// so a stuck or hostile client cannot pile up work next to the engine.
/// </remarks>
public sealed class MetricsHttpEndpoint : IAsyncDisposable
{
    private const int SolSocket = 1;
    private const int SoReuseAddr = 2;
    private const int MaxRequestBytes = 8192;
    private const int MaxConcurrentRequests = 8;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private readonly TcpListener _listener;
    private readonly Func<string, string, HttpAnswer?> _answer;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _slots = new(MaxConcurrentRequests);
    private readonly Task _accepting;

    private MetricsHttpEndpoint(TcpListener listener, Func<string, string, HttpAnswer?> answer)
    {
        _listener = listener;
        _answer = answer;
        _accepting = AcceptLoopAsync();
    }

    /// <summary>Where it listens (the port the kernel chose when asked for 0).</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)_listener.LocalEndpoint;

    /// <summary>Binds <paramref name="endPoint"/> and starts answering; throws <see cref="SocketException"/> when it cannot bind.</summary>
    /// <param name="answer">The answer to a GET of a path (without the query) and its query string (without '?'); null: 404.</param>
    public static MetricsHttpEndpoint Start(IPEndPoint endPoint, Func<string, string, HttpAnswer?> answer)
    {
        var listener = new TcpListener(endPoint);
        // A restart (SIGHUP) binds the port again while the previous run's connections sit in TIME_WAIT. Linux's
        // SO_REUSEADDR alone: .NET's ReuseAddress also sets SO_REUSEPORT, which would let two servers share the port.
        listener.Server.SetRawSocketOption(SolSocket, SoReuseAddr, BitConverter.GetBytes(1));
        listener.Start();
        return new MetricsHttpEndpoint(listener, answer);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        try
        {
            await _accepting.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            await _slots.WaitAsync(_stop.Token).ConfigureAwait(false);
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            }
            catch
            {
                _slots.Release();
                throw;
            }
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(RequestTimeout);
            using var stream = new NetworkStream(client, ownsSocket: true);
            var requestLine = await ReadRequestLineAsync(stream, timeout.Token).ConfigureAwait(false);
            var answer = Answer(requestLine);
            var body = Encoding.UTF8.GetBytes(answer.Body);
            var head = $"HTTP/1.1 {answer.Status}\r\nContent-Type: {answer.ContentType}\r\nContent-Length: {body.Length}\r\n" +
                "Cache-Control: no-store\r\nConnection: close\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head), timeout.Token).ConfigureAwait(false);
            await stream.WriteAsync(body, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The scraper went away or took too long: nothing to answer.
        }
        finally
        {
            client.Dispose();
            _slots.Release();
        }
    }

    /// <summary>The answer to a request line ("GET /metrics HTTP/1.1"), or to none (null).</summary>
    private HttpAnswer Answer(string? requestLine)
    {
        var parts = requestLine?.Split(' ') ?? [];
        if (parts.Length != 3 || !parts[2].StartsWith("HTTP/", StringComparison.Ordinal)) return HttpAnswer.Text("400 Bad Request", "bad request\n");
        if (parts[0] != "GET") return HttpAnswer.Text("405 Method Not Allowed", "only GET\n");
        int question = parts[1].IndexOf('?');
        string path = question < 0 ? parts[1] : parts[1][..question];
        string query = question < 0 ? "" : parts[1][(question + 1)..];
        return _answer(path, query) ?? HttpAnswer.Text("404 Not Found", "metrics are at /metrics\n");
    }

    /// <summary>Reads the request head (up to the blank line) and returns its first line; null when it is too long or cut short.</summary>
    private static async Task<string?> ReadRequestLineAsync(NetworkStream stream, CancellationToken cancellation)
    {
        var buffer = new byte[MaxRequestBytes];
        int length = 0;
        while (length < buffer.Length)
        {
            int read = await stream.ReadAsync(buffer.AsMemory(length), cancellation).ConfigureAwait(false);
            if (read == 0) return null;
            length += read;
            var head = Encoding.ASCII.GetString(buffer, 0, length);
            if (head.Contains("\r\n\r\n", StringComparison.Ordinal) || head.Contains("\n\n", StringComparison.Ordinal))
                return head[..head.IndexOf('\n')].TrimEnd('\r');
        }
        return null;
    }
}
