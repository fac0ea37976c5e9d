using FleetVpn.Server.Logging;

namespace FleetVpn.Server.Tests.Logging;

/// <summary>
/// A sink that keeps what it is given; <see cref="Hold"/> makes the writer thread stop inside <see cref="Write"/>
/// (so the queue fills up) until <see cref="Release"/>, and <see cref="FailWith"/> makes writes throw.
/// </summary>
internal sealed class RecordingSink : ILogSink
{
    private readonly List<LogEntry> _entries = [];
    private readonly ManualResetEventSlim _open = new(true);

    /// <summary>Set when the writer is inside <see cref="Write"/> (and stopped there while held).</summary>
    public ManualResetEventSlim Entered { get; } = new(false);

    public Func<string, Exception?> FailWith { get; set; } = _ => null;

    public int Flushes { get; private set; }

    public bool Disposed { get; private set; }

    public IReadOnlyList<string> Lines
    {
        get { lock (_entries) return _entries.Select(e => e.Text).ToList(); }
    }

    public IReadOnlyList<LogEntry> Entries
    {
        get { lock (_entries) return _entries.ToList(); }
    }

    public void Hold() => _open.Reset();

    public void Release() => _open.Set();

    public void Write(in LogEntry entry)
    {
        Entered.Set();
        _open.Wait();
        if (FailWith(entry.Text) is { } error) throw error;
        lock (_entries) _entries.Add(entry);
    }

    public void Flush() => Flushes++;

    public void Dispose() => Disposed = true;
}
