using System.Runtime.InteropServices;

namespace FleetVpn.Platform.Native;

/// <summary>An <see cref="IOException"/> naming the failed call and the system's reason for it.</summary>
internal static class PlatformErrors
{
    /// <summary>The error of the last P/Invoke on this thread (call right after the failing one).</summary>
    public static IOException Last(string call)
    {
        int errno = Marshal.GetLastPInvokeError();
        return new IOException($"{call}: {LibC.ErrorText(errno)}", errno);
    }
}
