using System.Threading.Channels;

namespace FleetVpn.Server.Management;

/// <summary>
/// What is waiting to be sent to one management connection, bounded by its size in characters. Producers
/// (commands, notifications from any thread) never wait: past the bound the queue is marked overflowed and
/// completed, and the connection is dropped, so a reader that does not keep up costs memory up to the bound
/// and nothing else (OpenVPN's single connection would stall the server instead).
/// </summary>
public sealed class ManagementOutputQueue(long maxPendingChars)
{
    private readonly Channel<string> _channel = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private long _pendingChars;

    /// <summary>True once a write went past the bound.</summary>
    public bool Overflowed { get; private set; }

    public long PendingChars => Interlocked.Read(ref _pendingChars);

    /// <summary>Whether the reader has fallen behind by the bound (a command's reply waits until it has not).</summary>
    public bool IsFull => PendingChars >= maxPendingChars;

    /// <summary>
    /// Queues text (one or more complete lines); false when the queue is closed or just overflowed.
    /// A reply to the connection's own command is <paramref name="unbounded"/>: the connection reads no further
    /// command while <see cref="IsFull"/>, so it cannot pile replies up, and a status of a million clients still fits.
    /// </summary>
    public bool TryEnqueue(string text, bool unbounded = false)
    {
        if (Interlocked.Add(ref _pendingChars, text.Length) > maxPendingChars && !unbounded)
        {
            Overflowed = true;
            _channel.Writer.TryComplete();
            return false;
        }
        return _channel.Writer.TryWrite(text);
    }

    /// <summary>The next text to send; null once the queue is completed and empty.</summary>
    public async ValueTask<string?> DequeueAsync(CancellationToken cancellation)
    {
        while (await _channel.Reader.WaitToReadAsync(cancellation).ConfigureAwait(false))
        {
            if (_channel.Reader.TryRead(out var text))
            {
                Interlocked.Add(ref _pendingChars, -text.Length);
                return text;
            }
        }
        return null;
    }

    /// <summary>Takes nothing more; what is queued can still be read.</summary>
    public void Complete() => _channel.Writer.TryComplete();
}
