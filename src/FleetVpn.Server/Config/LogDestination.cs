namespace FleetVpn.Server.Config;

/// <summary>Where the server's log lines go (<see cref="ProcessSettings.LogDestination"/>).</summary>
public enum LogDestination
{
    StandardOutput,
    File,
    Syslog,
}
