namespace FleetVpn.Server.Logging;

/// <summary>
/// The server's log: one line per event on stdout, OpenVPN-style verbosity (`verb`) and
/// repeat suppression (`mute`). Thread-safe; cheap when a level is off.
/// </summary>
public sealed class ServerLog
{
    private readonly TextWriter _out;
    private readonly object _gate = new();
    private string? _lastCategory;
    private int _repeats;

    public ServerLog(int verb, int mute, TextWriter? output = null)
    {
        Verb = verb;
        Mute = mute;
        _out = output ?? Console.Out;
    }

    /// <summary>Current verbosity (0 = fatal only, 1 = normal, 3+ = details, 4+ = per-packet summaries).</summary>
    public int Verb { get; set; }

    /// <summary>After this many consecutive lines of the same category, further ones are dropped (0 = never).</summary>
    public int Mute { get; set; }

    public bool IsEnabled(int level) => level <= Verb;

    /// <summary>
    /// Each line written (its level and text, after `verb` and `mute`), in order, under the log's lock: a
    /// handler only enqueues (the management interface's `log on`).
    /// </summary>
    public event Action<int, string>? LineWritten;

    /// <summary>Writes a line at <paramref name="level"/>; <paramref name="category"/> groups lines for `mute`.</summary>
    public void Write(int level, string message, string? category = null)
    {
        if (level > Verb) return;
        lock (_gate)
        {
            category ??= message;
            if (Mute > 0 && category == _lastCategory)
            {
                _repeats++;
                if (_repeats >= Mute) return;
            }
            else
            {
                if (Mute > 0 && _repeats >= Mute)
                    _out.WriteLine($"{Stamp()} [{_repeats - Mute + 1} previous messages of the same kind muted]");
                _lastCategory = category;
                _repeats = 0;
            }
            _out.WriteLine($"{Stamp()} {message}");
            _out.Flush();
            LineWritten?.Invoke(level, message);
        }
    }

    public void Info(string message, string? category = null) => Write(1, message, category);
    public void Debug(string message, string? category = null) => Write(3, message, category);

    private static string Stamp() => DateTime.Now.ToString("yyyy-MM-dd HH:mm:ss");
}
