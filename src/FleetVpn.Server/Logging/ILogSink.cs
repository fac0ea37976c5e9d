namespace FleetVpn.Server.Logging;

/// <summary>Where the log writer puts lines (standard output, a `log` file, syslog). Called from the writer thread only.</summary>
public interface ILogSink : IDisposable
{
    /// <summary>Writes one line; may block (the workers never wait for it) and may throw (the line is then counted as dropped).</summary>
    void Write(in LogEntry entry);

    /// <summary>Pushes buffered lines out; called after each batch.</summary>
    void Flush();
}
