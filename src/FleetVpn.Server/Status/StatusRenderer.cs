using System.Globalization;

namespace FleetVpn.Server.Status;

/// <summary>
/// OpenVPN 2.6's status formats (<c>multi_print_status()</c> in multi.c), line for line:
/// version 1 ("OpenVPN CLIENT LIST", "ROUTING TABLE", "GLOBAL STATS" sections with their column lines),
/// version 2 (TITLE, TIME, HEADER lines and rows prefixed CLIENT_LIST / ROUTING_TABLE / GLOBAL_STATS, comma
/// separated) and version 3 (version 2 with tabs). Numbers and dates are formatted into a stack buffer and
/// written straight to the writer, so a file of 100,000 clients costs no string per field.
/// </summary>
public static class StatusRenderer
{
    public const int MinVersion = 1;
    public const int MaxVersion = 3;

    private const string TimeFormat = "yyyy-MM-dd HH:mm:ss";

    /// <summary>
    /// Writes the status in <paramref name="version"/> (1, 2 or 3); lines end with the writer's
    /// <see cref="TextWriter.NewLine"/> (a status file: "\n"; the management interface: "\r\n").
    /// </summary>
    public static void Render(StatusSnapshot snapshot, int version, TextWriter writer)
    {
        switch (version)
        {
            case 1: RenderVersion1(snapshot, writer); break;
            case 2: RenderTabular(snapshot, ',', writer); break;
            case 3: RenderTabular(snapshot, '\t', writer); break;
            default: throw new ArgumentOutOfRangeException(nameof(version), version, "status versions are 1, 2 and 3");
        }
    }

    private static void RenderVersion1(StatusSnapshot snapshot, TextWriter w)
    {
        w.WriteLine("OpenVPN CLIENT LIST");
        w.Write("Updated,");
        WriteTime(w, snapshot.Taken);
        w.WriteLine();
        w.WriteLine("Common Name,Real Address,Bytes Received,Bytes Sent,Connected Since");
        foreach (var row in snapshot.Rows)
        {
            w.Write(row.CommonName); w.Write(',');
            w.Write(row.RealAddress); w.Write(',');
            WriteNumber(w, row.BytesReceived); w.Write(',');
            WriteNumber(w, row.BytesSent); w.Write(',');
            WriteTime(w, row.ConnectedSince);
            w.WriteLine();
        }
        w.WriteLine("ROUTING TABLE");
        w.WriteLine("Virtual Address,Common Name,Real Address,Last Ref");
        foreach (var row in snapshot.Rows)
        {
            w.Write(row.VirtualAddress); w.Write(',');
            w.Write(row.CommonName); w.Write(',');
            w.Write(row.RealAddress); w.Write(',');
            WriteTime(w, row.LastReference);
            w.WriteLine();
        }
        w.WriteLine("GLOBAL STATS");
        // FleetVPN has no broadcast/multicast queue (tun only): its longest queue is 0.
        w.WriteLine("Max bcast/mcast queue length,0");
        w.WriteLine("END");
    }

    private static void RenderTabular(StatusSnapshot snapshot, char sep, TextWriter w)
    {
        w.Write("TITLE"); w.Write(sep); w.Write(ServerTitle.Text);
        w.WriteLine();
        w.Write("TIME"); w.Write(sep); WriteTime(w, snapshot.Taken); w.Write(sep); WriteNumber(w, UnixTime(snapshot.Taken));
        w.WriteLine();
        WriteHeader(w, sep, "CLIENT_LIST", "Common Name", "Real Address", "Virtual Address", "Virtual IPv6 Address", "Bytes Received",
            "Bytes Sent", "Connected Since", "Connected Since (time_t)", "Username", "Client ID", "Peer ID", "Data Channel Cipher");
        foreach (var row in snapshot.Rows)
        {
            w.Write("CLIENT_LIST"); w.Write(sep);
            w.Write(row.CommonName); w.Write(sep);
            w.Write(row.RealAddress); w.Write(sep);
            w.Write(row.VirtualAddress); w.Write(sep);
            w.Write(sep); // no IPv6 in the tunnel: OpenVPN leaves the column empty
            WriteNumber(w, row.BytesReceived); w.Write(sep);
            WriteNumber(w, row.BytesSent); w.Write(sep);
            WriteTime(w, row.ConnectedSince); w.Write(sep);
            WriteNumber(w, UnixTime(row.ConnectedSince)); w.Write(sep);
            w.Write("UNDEF"); w.Write(sep); // no auth-user-pass: OpenVPN's "no username"
            WriteNumber(w, row.ClientId); w.Write(sep);
            WriteNumber(w, row.PeerId); w.Write(sep);
            w.Write(row.DataChannelCipher);
            w.WriteLine();
        }
        WriteHeader(w, sep, "ROUTING_TABLE", "Virtual Address", "Common Name", "Real Address", "Last Ref", "Last Ref (time_t)");
        foreach (var row in snapshot.Rows)
        {
            w.Write("ROUTING_TABLE"); w.Write(sep);
            w.Write(row.VirtualAddress); w.Write(sep);
            w.Write(row.CommonName); w.Write(sep);
            w.Write(row.RealAddress); w.Write(sep);
            WriteTime(w, row.LastReference); w.Write(sep);
            WriteNumber(w, UnixTime(row.LastReference));
            w.WriteLine();
        }
        w.Write("GLOBAL_STATS"); w.Write(sep); w.Write("Max bcast/mcast queue length"); w.Write(sep); w.Write('0');
        w.WriteLine();
        w.Write("GLOBAL_STATS"); w.Write(sep); w.Write("dco_enabled"); w.Write(sep); w.Write('0');
        w.WriteLine();
        w.WriteLine("END");
    }

    private static void WriteHeader(TextWriter w, char sep, string section, params ReadOnlySpan<string> columns)
    {
        w.Write("HEADER"); w.Write(sep); w.Write(section);
        foreach (var column in columns)
        {
            w.Write(sep);
            w.Write(column);
        }
        w.WriteLine();
    }

    /// <summary>Seconds since 1970 of a local time, as OpenVPN's time_t columns.</summary>
    public static long UnixTime(DateTime local) => new DateTimeOffset(local.ToUniversalTime()).ToUnixTimeSeconds();

    private static void WriteNumber(TextWriter w, long value)
    {
        Span<char> text = stackalloc char[20];
        value.TryFormat(text, out int length, default, CultureInfo.InvariantCulture);
        w.Write(text[..length]);
    }

    private static void WriteTime(TextWriter w, DateTime time)
    {
        Span<char> text = stackalloc char[TimeFormat.Length];
        time.TryFormat(text, out int length, TimeFormat, CultureInfo.InvariantCulture);
        w.Write(text[..length]);
    }
}
