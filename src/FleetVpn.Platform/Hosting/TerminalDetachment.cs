using System.ComponentModel;
using System.Runtime.InteropServices;

namespace FleetVpn.Platform.Hosting;

/// <summary>
/// What daemon(3) does after its fork, for a process that was started (not forked) to run detached: a new session
/// without a controlling terminal (setsid), then standard input, output and error pointed at /dev/null. The .NET
/// runtime cannot fork once its threads run, so `fleetvpn serve` with `daemon` starts a second copy of itself that
/// calls these (see the serve command).
/// </summary>
public static class TerminalDetachment
{
    /// <summary>
    /// Leaves the caller's session and process group (and with them the terminal and its SIGHUP/SIGINT). Works in a
    /// process started by another one: only a process group leader cannot call setsid.
    /// </summary>
    public static void StartSession()
    {
        if (HostingCalls.SetSid() < 0)
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "setsid failed");
    }

    /// <summary>Points file descriptors 0, 1 and 2 at /dev/null (the terminal, or a parent's pipe, is let go).</summary>
    public static void CloseStandardStreams()
    {
        int devNull = HostingCalls.Open("/dev/null", HostingCalls.O_RDWR);
        if (devNull < 0) throw new Win32Exception(Marshal.GetLastPInvokeError(), "cannot open /dev/null");
        for (int fd = 0; fd <= 2; fd++)
        {
            if (HostingCalls.Dup2(devNull, fd) < 0)
                throw new Win32Exception(Marshal.GetLastPInvokeError(), $"dup2 onto descriptor {fd} failed");
        }
        if (devNull > 2) HostingCalls.Close(devNull);
    }
}
