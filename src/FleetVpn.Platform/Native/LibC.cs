using System.Runtime.InteropServices;

namespace FleetVpn.Platform.Native;

/// <summary>The few libc calls the Linux edge needs (tun device I/O, privilege drop).</summary>
internal static unsafe partial class LibC
{
    public const int O_RDWR = 2;
    public const int O_CLOEXEC = 0x80000;
    public const short POLLIN = 1;
    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int ERANGE = 34;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, void* argument);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    /// <summary><c>struct passwd</c> (glibc, LP64).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Passwd
    {
        public byte* Name;
        public byte* Password;
        public uint Uid;
        public uint Gid;
        public byte* Gecos;
        public byte* Directory;
        public byte* Shell;
    }

    /// <summary><c>struct group</c> (glibc, LP64).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Group
    {
        public byte* Name;
        public byte* Password;
        public uint Gid;
        public byte** Members;
    }

    // The set*id calls below go through glibc, which applies them to every thread of the
    // process (its SIGSETXID broadcast); a raw syscall would change the calling thread only.

    [LibraryImport("libc", EntryPoint = "setgroups", SetLastError = true)]
    public static partial int SetGroups(nuint size, uint* list);

    [LibraryImport("libc", EntryPoint = "setgid", SetLastError = true)]
    public static partial int SetGid(uint gid);

    [LibraryImport("libc", EntryPoint = "setuid", SetLastError = true)]
    public static partial int SetUid(uint uid);

    [LibraryImport("libc", EntryPoint = "getuid")]
    public static partial uint GetUid();

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEUid();

    [LibraryImport("libc", EntryPoint = "getgid")]
    public static partial uint GetGid();

    [LibraryImport("libc", EntryPoint = "getegid")]
    public static partial uint GetEGid();

    /// <summary>Returns 0 or an errno; <paramref name="result"/> is null when there is no such user.</summary>
    [LibraryImport("libc", EntryPoint = "getpwnam_r", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int GetPwNamR(string name, Passwd* entry, byte* buffer, nuint length, Passwd** result);

    /// <summary>Returns 0 or an errno; <paramref name="result"/> is null when there is no such group.</summary>
    [LibraryImport("libc", EntryPoint = "getgrnam_r", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int GetGrNamR(string name, Group* entry, byte* buffer, nuint length, Group** result);

    /// <summary>Returns 0 or an errno; <paramref name="result"/> is null when there is no such group.</summary>
    [LibraryImport("libc", EntryPoint = "getgrgid_r")]
    public static partial int GetGrGidR(uint gid, Group* entry, byte* buffer, nuint length, Group** result);

    public static string ErrorText(int errno) => Marshal.GetPInvokeErrorMessage(errno);
}
