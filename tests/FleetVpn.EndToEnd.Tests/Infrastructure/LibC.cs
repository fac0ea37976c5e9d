using System.Runtime.InteropServices;

namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>The few libc calls the harness needs: who we are, signals by PID, and setns(2).</summary>
internal static partial class LibC
{
    public const int SIGTERM = 15;
    public const int SIGKILL = 9;

    /// <summary>CLONE_NEWNET: the namespace type argument of setns(2) for network namespaces.</summary>
    public const int CLONE_NEWNET = 0x40000000;

    [LibraryImport("libc", SetLastError = true)]
    public static partial uint geteuid();

    [LibraryImport("libc", SetLastError = true)]
    public static partial int kill(int pid, int sig);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int setns(int fd, int nstype);
}
