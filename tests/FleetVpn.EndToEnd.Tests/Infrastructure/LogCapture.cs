namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>The lines a process printed (stdout and stderr, in arrival order), thread-safe.</summary>
public sealed class LogCapture
{
    private readonly List<string> _lines = [];
    private readonly object _gate = new();

    public void Add(string line)
    {
        lock (_gate) _lines.Add(line);
    }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_gate) return _lines.ToArray();
        }
    }

    public int Count
    {
        get
        {
            lock (_gate) return _lines.Count;
        }
    }

    /// <summary>The first line (from <paramref name="start"/>) that satisfies <paramref name="match"/>, or null.</summary>
    public string? Find(Func<string, bool> match, int start = 0)
    {
        lock (_gate)
        {
            for (var i = start; i < _lines.Count; i++)
                if (match(_lines[i])) return _lines[i];
        }
        return null;
    }

    public bool Contains(string text) =>
        Find(l => l.Contains(text, StringComparison.OrdinalIgnoreCase)) is not null;

    /// <summary>The last <paramref name="count"/> lines, joined for an assertion message or test output.</summary>
    public string Tail(int count = 80)
    {
        lock (_gate)
        {
            var skip = Math.Max(0, _lines.Count - count);
            var head = skip > 0 ? $"[... {skip} earlier lines]\n" : "";
            return head + string.Join('\n', _lines.Skip(skip));
        }
    }
}
