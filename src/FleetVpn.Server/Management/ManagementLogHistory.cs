namespace FleetVpn.Server.Management;

/// <summary>
/// The last log lines, already in the management format (<c>&gt;LOG:time,flags,text</c>), for `log all` and
/// `log N`: a ring of fixed size (OpenVPN's management-log-cache default, 250) shared by every connection.
/// </summary>
public sealed class ManagementLogHistory(int capacity = 250)
{
    private readonly string[] _lines = new string[capacity];
    private readonly Lock _gate = new();
    private int _next;
    private int _count;

    public void Add(string line)
    {
        lock (_gate)
        {
            _lines[_next] = line;
            _next = (_next + 1) % _lines.Length;
            _count = Math.Min(_count + 1, _lines.Length);
        }
    }

    /// <summary>The newest <paramref name="count"/> lines (all of them for null), oldest first.</summary>
    public IReadOnlyList<string> Last(int? count)
    {
        lock (_gate)
        {
            int n = Math.Min(count ?? _count, _count);
            var lines = new string[n];
            for (int i = 0; i < n; i++) lines[i] = _lines[(_next - n + i + _lines.Length) % _lines.Length];
            return lines;
        }
    }
}
