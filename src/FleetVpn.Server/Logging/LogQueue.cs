using System.Threading.Channels;

namespace FleetVpn.Server.Logging;

/// <summary>
/// The bounded queue between the threads that log and the one thread that writes (<see cref="ILogSink"/>): enqueueing
/// never waits, so a slow disk or a stalled syslog daemon never stalls a worker. When the queue is full the line is
/// dropped and counted (<see cref="Dropped"/>); the writer logs how many were lost once it has room again.
/// </summary>
public sealed class LogQueue : IDisposable
{
    /// <summary>Lines held before new ones are dropped: about 10 MB of text at 150 bytes a line.</summary>
    public const int DefaultCapacity = 65536;

    private readonly Channel<LogEntry> _channel;
    private readonly ILogSink _sink;
    private readonly Thread _writer;
    private long _dropped;
    private long _droppedReported;
    private int _disposed;

    public LogQueue(ILogSink sink, int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _sink = sink;
        Capacity = capacity;
        _channel = Channel.CreateBounded<LogEntry>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails at once instead of evicting a line
            SingleReader = true,
        });
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "fleetvpn-log" };
        _writer.Start();
    }

    public int Capacity { get; }

    /// <summary>Lines lost since the start: the queue was full, or the sink failed to write them.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queues a line without waiting; false (and counted) when the queue is full or closed.</summary>
    public bool TryEnqueue(in LogEntry entry)
    {
        if (_channel.Writer.TryWrite(entry)) return true;
        Interlocked.Increment(ref _dropped);
        return false;
    }

    /// <summary>
    /// Waits until every line queued before the call is written and flushed (tests, shutdown); false when
    /// <paramref name="timeout"/> passed first. Not for the workers: it waits for room in the queue.
    /// </summary>
    public bool Flush(TimeSpan timeout)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            var queued = _channel.Writer.WriteAsync(new LogEntry(DateTime.Now, 0, "", done)).AsTask();
            if (!queued.Wait(timeout)) return false;
        }
        catch (AggregateException e) when (e.InnerException is ChannelClosedException)
        {
            return true; // closed: the writer has drained, or is draining, everything
        }
        return done.Task.Wait(timeout);
    }

    /// <summary>Writes what is queued, then stops the writer (waits at most 5 s for it) and closes the sink.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _channel.Writer.TryComplete();
        if (_writer.Join(TimeSpan.FromSeconds(5))) _sink.Dispose();
    }

    private void WriteLoop()
    {
        var reader = _channel.Reader;
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (reader.TryRead(out var entry))
            {
                if (entry.Flushed is { } flushed)
                {
                    ReportDrops();
                    FlushSink();
                    flushed.TrySetResult();
                    continue;
                }
                WriteLine(entry, countFailure: true);
            }
            ReportDrops();
            FlushSink();
        }
    }

    /// <summary>Logs, once, how many lines were lost since the last report (no new report when the report itself failed).</summary>
    private void ReportDrops()
    {
        long dropped = Dropped;
        if (dropped == _droppedReported) return;
        var lost = dropped - _droppedReported;
        _droppedReported = dropped;
        WriteLine(new LogEntry(DateTime.Now, 1,
            $"WARNING: {lost} log line(s) dropped: the log queue ({Capacity} lines) was full or its output failed ({dropped} since the start)"),
            countFailure: false);
    }

    private void WriteLine(in LogEntry entry, bool countFailure)
    {
        try
        {
            _sink.Write(entry);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException or UnauthorizedAccessException)
        {
            if (countFailure) Interlocked.Increment(ref _dropped);
        }
    }

    private void FlushSink()
    {
        try
        {
            _sink.Flush();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The lines stay in the writer's buffer; the next flush tries again.
        }
    }
}
