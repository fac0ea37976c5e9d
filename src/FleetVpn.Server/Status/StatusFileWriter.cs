using System.Text;
using FleetVpn.Server.Sessions;

namespace FleetVpn.Server.Status;

/// <summary>
/// Writes OpenVPN's status file (`status FILE [N]`, `status-version 1|2|3`) atomically: the text goes to
/// FILE.tmp, then a rename replaces FILE, so readers never see half a file. One instance per server run,
/// called from the status timer (a thread-pool thread, never a worker); it keeps its snapshot's row storage
/// and its write buffer from one write to the next, so a write at 100,000 clients allocates little beyond
/// the rows' address strings.
/// </summary>
public sealed class StatusFileWriter(string path, int version)
{
    private const int BufferSize = 64 * 1024;
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);
    private readonly StatusSnapshot _snapshot = new();

    public string Path { get; } = path;
    public int Version { get; } = version;

    public void Write(SessionTable sessions) => Write(_snapshot.Capture(sessions));

    public void Write(StatusSnapshot snapshot)
    {
        string temp = Path + ".tmp";
        using (var writer = new StreamWriter(new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0), Utf8NoBom, BufferSize))
        {
            writer.NewLine = "\n";
            StatusRenderer.Render(snapshot, Version, writer);
        }
        File.Move(temp, Path, overwrite: true);
    }
}
