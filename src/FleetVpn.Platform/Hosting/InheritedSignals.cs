namespace FleetVpn.Platform.Hosting;

/// <summary>
/// Signals a process may inherit as ignored: `nohup` ignores SIGHUP for what it starts, and the .NET runtime never
/// delivers a signal that was ignored when the process started. OpenVPN handles SIGHUP (reload) and SIGUSR1
/// (restart) whatever it inherited, so a server started under nohup still reloads on `kill -HUP`; so does FleetVPN.
/// </summary>
public static class InheritedSignals
{
    /// <summary>Puts <paramref name="signal"/> back to its default action if it was inherited ignored (call before
    /// registering a handler for it). Returns true when it was ignored.</summary>
    public static bool StopIgnoring(int signal)
    {
        if (!OperatingSystem.IsLinux()) return false;
        nint previous = HostingCalls.Signal(signal, HostingCalls.SigDfl);
        if (previous == HostingCalls.SigIgn) return true;
        HostingCalls.Signal(signal, previous); // it was not ignored: left as it was
        return false;
    }
}
