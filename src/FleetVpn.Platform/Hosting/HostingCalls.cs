using System.Runtime.InteropServices;

namespace FleetVpn.Platform.Hosting;

/// <summary>The libc calls that detaching from a terminal, and taking back an ignored signal, need.</summary>
internal static partial class HostingCalls
{
    public const int O_RDWR = 2;

    [LibraryImport("libc", EntryPoint = "setsid", SetLastError = true)]
    public static partial int SetSid();

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "dup2", SetLastError = true)]
    public static partial int Dup2(int oldFd, int newFd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    public static readonly nint SigDfl = 0;
    public static readonly nint SigIgn = 1;

    /// <summary>signal(2): sets a signal's disposition, returns the previous one.</summary>
    [LibraryImport("libc", EntryPoint = "signal")]
    public static partial nint Signal(int signal, nint handler);
}
