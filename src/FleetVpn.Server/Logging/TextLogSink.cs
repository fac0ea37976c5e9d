namespace FleetVpn.Server.Logging;

/// <summary>
/// Lines as OpenVPN writes them to standard output or to a `log` / `log-append` file: the local time
/// (<c>yyyy-MM-dd HH:mm:ss</c>), a space, the text.
/// </summary>
public sealed class TextLogSink : ILogSink
{
    private readonly TextWriter _writer;
    private readonly bool _ownsWriter;

    public TextLogSink(TextWriter writer, bool ownsWriter = false)
    {
        _writer = writer;
        _ownsWriter = ownsWriter;
    }

    /// <summary>
    /// Opens <paramref name="path"/> for `log FILE` (truncated, as OpenVPN's <c>--log</c>) or `log-append FILE`
    /// (<paramref name="append"/>). Others may read it while it is written (tail -f, logrotate's copytruncate).
    /// </summary>
    public static TextLogSink OpenFile(string path, bool append)
    {
        var stream = new FileStream(path, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        return new TextLogSink(new StreamWriter(stream) { AutoFlush = false }, ownsWriter: true);
    }

    public static string Format(in LogEntry entry) => $"{entry.Time:yyyy-MM-dd HH:mm:ss} {entry.Text}";

    public void Write(in LogEntry entry) => _writer.WriteLine(Format(entry));

    public void Flush() => _writer.Flush();

    public void Dispose()
    {
        if (_ownsWriter) _writer.Dispose();
        else _writer.Flush();
    }
}
