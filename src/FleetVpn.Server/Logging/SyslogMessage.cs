using System.Globalization;
using System.Text;

namespace FleetVpn.Server.Logging;

/// <summary>
/// A log line as an RFC 3164 syslog message, the way glibc's syslog(3) sends it to the local socket (which is what
/// OpenVPN's <c>--daemon NAME</c> uses: <c>openlog(NAME, LOG_PID, LOG_DAEMON)</c>):
/// <c>&lt;PRI&gt;Mmm dd hh:mm:ss NAME[PID]: text</c>. There is no HOSTNAME field: on the local socket the
/// syslog daemon (rsyslog, journald) adds it, and journald would take a hostname for the tag.
/// </summary>
public static class SyslogMessage
{
    /// <summary>LOG_DAEMON, the facility OpenVPN logs under.</summary>
    public const int FacilityDaemon = 3;

    public const int SeverityError = 3;
    public const int SeverityWarning = 4;
    public const int SeverityInfo = 6;
    public const int SeverityDebug = 7;

    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    /// <summary>
    /// The severity of a line: level 0 (what `verb 0` still shows: fatal errors) is LOG_ERR, a line that starts with
    /// "WARNING" LOG_WARNING, levels 4 and up (per-packet detail) LOG_DEBUG, the rest LOG_INFO.
    /// </summary>
    public static int Severity(int level, string text)
    {
        if (level <= 0) return SeverityError;
        if (text.StartsWith("WARNING", StringComparison.Ordinal)) return SeverityWarning;
        return level >= 4 ? SeverityDebug : SeverityInfo;
    }

    /// <summary>The datagram for <paramref name="entry"/>, tagged <paramref name="tag"/>[<paramref name="pid"/>].</summary>
    public static string Format(in LogEntry entry, string tag, int pid)
    {
        int priority = FacilityDaemon * 8 + Severity(entry.Level, entry.Text);
        var time = entry.Time;
        var text = new StringBuilder(entry.Text.Length + tag.Length + 32)
            .Append('<').Append(priority.ToString(CultureInfo.InvariantCulture)).Append('>')
            // RFC 3164 4.1.2: "Mmm dd hh:mm:ss", the day padded with a space, English month names, local time.
            .Append(Months[time.Month - 1]).Append(' ')
            .Append(time.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2, ' ')).Append(' ')
            .Append(time.ToString("HH:mm:ss", CultureInfo.InvariantCulture)).Append(' ')
            .Append(tag).Append('[').Append(pid.ToString(CultureInfo.InvariantCulture)).Append("]: ");
        // One message is one line for the syslog daemon.
        foreach (char c in entry.Text) text.Append(c is '\n' or '\r' ? ' ' : c);
        return text.ToString();
    }
}
