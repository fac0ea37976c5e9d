using System.Globalization;
using System.Text;
using FleetVpn.Server.Routing;
using FleetVpn.Server.Sessions;

namespace FleetVpn.Server.Status;

/// <summary>
/// Writes OpenVPN's status file, version 1 (<c>multi_print_status()</c> in multi.c), atomically:
/// the text goes to FILE.tmp, then a rename replaces FILE, so readers never see half a file.
/// </summary>
public static class StatusFileWriter
{
    private const string TimeFormat = "yyyy-MM-dd HH:mm:ss";

    public static string Render(IEnumerable<ClientSession> sessions, DateTime now)
    {
        var established = sessions.Where(s => s.State == SessionState.Established).OrderBy(s => s.PeerId).ToList();
        var text = new StringBuilder();
        text.Append("OpenVPN CLIENT LIST\n");
        text.Append("Updated,").Append(now.ToString(TimeFormat, CultureInfo.InvariantCulture)).Append('\n');
        text.Append("Common Name,Real Address,Bytes Received,Bytes Sent,Connected Since\n");
        foreach (var s in established)
            text.Append(s.CommonName).Append(',').Append(ServerContext.Describe(s.RemoteEndPoint)).Append(',')
                .Append(Interlocked.Read(ref s.BytesReceived)).Append(',').Append(Interlocked.Read(ref s.BytesSent)).Append(',')
                .Append(s.ConnectedSince.ToString(TimeFormat, CultureInfo.InvariantCulture)).Append('\n');
        text.Append("ROUTING TABLE\n");
        text.Append("Virtual Address,Common Name,Real Address,Last Ref\n");
        foreach (var s in established)
        {
            var lastRef = now - TimeSpan.FromMilliseconds(Math.Max(0, ServerContext.NowMs - s.LastReceivedMs));
            text.Append(AddressPool.ToAddress(s.VirtualAddress)).Append(',').Append(s.CommonName).Append(',')
                .Append(ServerContext.Describe(s.RemoteEndPoint)).Append(',')
                .Append(lastRef.ToString(TimeFormat, CultureInfo.InvariantCulture)).Append('\n');
        }
        text.Append("GLOBAL STATS\n");
        text.Append("Max bcast/mcast queue length,0\n");
        text.Append("END\n");
        return text.ToString();
    }

    public static void Write(string path, IEnumerable<ClientSession> sessions)
    {
        string temp = path + ".tmp";
        File.WriteAllText(temp, Render(sessions, DateTime.Now));
        File.Move(temp, path, overwrite: true);
    }
}
