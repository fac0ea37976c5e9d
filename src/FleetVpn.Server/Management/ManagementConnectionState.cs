namespace FleetVpn.Server.Management;

/// <summary>What one management connection asked for: its real-time log, its byte counts, and whether it is done.</summary>
public sealed class ManagementConnectionState
{
    /// <summary>`log on`: log lines are sent as they are written (<c>&gt;LOG:</c>).</summary>
    public volatile bool LogRealtime;

    /// <summary>`bytecount N`: every N seconds a <c>&gt;BYTECOUNT_CLI</c> line per client (0 = off).</summary>
    public volatile int BytecountSeconds;

    /// <summary>`quit` / `exit`, or too many wrong passwords: the connection closes.</summary>
    public volatile bool Quit;

    public bool PasswordVerified;
    public int PasswordTries;
}
