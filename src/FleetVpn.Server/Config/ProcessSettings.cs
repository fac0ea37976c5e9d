namespace FleetVpn.Server.Config;

/// <summary>
/// The process-level directives: `daemon [NAME]`, `syslog [NAME]`, `log FILE`, `log-append FILE`, `writepid FILE` and
/// the `cd DIR` that moved the base of relative paths. Read once, when the process starts: a SIGHUP that changes
/// them takes effect at the next start of the process (OpenVPN, too, opens its log and detaches once).
/// </summary>
public sealed class ProcessSettings
{
    /// <summary>The syslog tag when neither `daemon NAME` nor `syslog NAME` names one (OpenVPN's is "openvpn").</summary>
    public const string DefaultSyslogTag = "fleetvpn";

    /// <summary>`daemon [NAME]`: detach from the terminal once the server runs.</summary>
    public bool Daemon { get; set; }

    /// <summary>`syslog [NAME]`: log to syslog without detaching.</summary>
    public bool Syslog { get; set; }

    /// <summary>The tag of syslog lines (NAME of `daemon` or `syslog`).</summary>
    public string SyslogTag { get; set; } = DefaultSyslogTag;

    /// <summary>`log FILE` / `log-append FILE`: the log file (absolute), which wins over syslog as in OpenVPN.</summary>
    public string? LogFile { get; set; }

    /// <summary>True for `log-append` (keep what the file holds), false for `log` (truncate it).</summary>
    public bool LogAppend { get; set; }

    /// <summary>`writepid FILE`: where the process writes its PID (absolute).</summary>
    public string? PidFile { get; set; }

    /// <summary>The directory of the last `cd DIR` (absolute), null without one.</summary>
    public string? Directory { get; set; }

    /// <summary>Where log lines go: a `log` file, else syslog with `daemon` or `syslog`, else standard output.</summary>
    public LogDestination LogDestination =>
        LogFile is not null ? LogDestination.File : Daemon || Syslog ? LogDestination.Syslog : LogDestination.StandardOutput;
}
