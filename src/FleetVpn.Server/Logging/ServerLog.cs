namespace FleetVpn.Server.Logging;

/// <summary>
/// The server's log, with OpenVPN's `verb` (a line of a level above it is not logged) and `mute` (at most N
/// consecutive lines of one category, then "NOTE: --mute triggered...", and when another category follows,
/// "N variation(s) on previous M message(s) suppressed by --mute"). Lines go through a bounded
/// <see cref="LogQueue"/> to one writer thread: logging never waits for the output, a line that finds the
/// queue full is dropped and counted (<see cref="LinesDropped"/>). Thread-safe; cheap when a level is off.
/// </summary>
/// <remarks>
/// As in OpenVPN, only lines with a category can be muted (OpenVPN's mute level 0 is never muted), and a line
/// without one ends a run of muted lines.
/// </remarks>
public sealed class ServerLog : IDisposable
{
    private readonly LogQueue _queue;
    private readonly object _gate = new();
    private string? _category;
    private int _count;

    /// <summary>A log that writes to <paramref name="output"/> (standard output when null).</summary>
    public ServerLog(int verb, int mute, TextWriter? output = null)
        : this(verb, mute, new TextLogSink(output ?? Console.Out))
    {
    }

    /// <summary>A log that writes to <paramref name="sink"/> (a `log` file, syslog), which it owns.</summary>
    public ServerLog(int verb, int mute, ILogSink sink, int queueCapacity = LogQueue.DefaultCapacity)
    {
        Verb = verb;
        Mute = mute;
        _queue = new LogQueue(sink, queueCapacity);
    }

    /// <summary>Current verbosity (0 = fatal only, 1 = normal, 3+ = details, 4+ = per-packet summaries).</summary>
    public int Verb { get; set; }

    /// <summary>After this many consecutive lines of the same category, further ones are dropped (0 = never).</summary>
    public int Mute { get; set; }

    /// <summary>Lines lost since the start because the queue was full or the output failed.</summary>
    public long LinesDropped => _queue.Dropped;

    public bool IsEnabled(int level) => level <= Verb;

    /// <summary>
    /// Each line logged (its level and text, after `verb` and `mute`), in order, under the log's lock: a
    /// handler only enqueues (the management interface's `log on`).
    /// </summary>
    public event Action<int, string>? LineWritten;

    /// <summary>Logs a line at <paramref name="level"/>; <paramref name="category"/> groups lines for `mute` (null: never muted).</summary>
    public void Write(int level, string message, string? category = null)
    {
        if (level > Verb) return;
        lock (_gate)
        {
            if (!PassesMute(category)) return;
            Emit(level, message);
        }
    }

    public void Info(string message, string? category = null) => Write(1, message, category);
    public void Debug(string message, string? category = null) => Write(3, message, category);

    /// <summary>A fatal error: logged at level 0, which every `verb` shows (syslog severity LOG_ERR).</summary>
    public void Fatal(string message) => Write(0, message);

    /// <summary>Waits until the lines logged so far are written (at most <paramref name="timeout"/>, 5 s by default).</summary>
    public bool Flush(TimeSpan? timeout = null) => _queue.Flush(timeout ?? TimeSpan.FromSeconds(5));

    /// <summary>Writes what is queued and closes the output.</summary>
    public void Dispose() => _queue.Dispose();

    /// <summary>OpenVPN's dont_mute() (error.c): the count runs while the category stays the same.</summary>
    private bool PassesMute(string? category)
    {
        if (Mute <= 0) return true;
        if (category is not null && category == _category)
        {
            if (_count == Mute) Emit(1, "NOTE: --mute triggered...");
            return ++_count <= Mute;
        }
        int suppressed = _count - Mute;
        if (suppressed > 0) Emit(1, $"{suppressed} variation(s) on previous {Mute} message(s) suppressed by --mute");
        _category = category;
        _count = 1;
        return true;
    }

    private void Emit(int level, string message)
    {
        _queue.TryEnqueue(new LogEntry(DateTime.Now, level, message));
        LineWritten?.Invoke(level, message);
    }
}
