using System.Runtime.InteropServices;

namespace FleetVpn.Platform.Memory;

/// <summary>
/// glibc malloc settings for processes that hold many small native allocations (OpenSSL's) made on many threads:
/// by default glibc gives each thread that allocates its own arena, up to 8 per core, and each arena keeps the
/// memory it once held, so TLS handshakes spread over the thread pool leave tens of MB behind. Without glibc
/// (musl) these do nothing.
/// </summary>
public static partial class NativeHeap
{
    private const int M_ARENA_MAX = -8;
    private const int M_MMAP_THRESHOLD = -3;

    /// <summary>Caps the number of malloc arenas (effective for the arenas created after the call).</summary>
    public static bool LimitArenas(int arenas)
    {
        try { return MallOpt(M_ARENA_MAX, arenas) == 1; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return false; }
    }

    /// <summary>
    /// Serves blocks of at least <paramref name="bytes"/> from their own mappings, unmapped when freed, instead of from an
    /// arena (glibc's threshold starts at 128 KiB and only rises). Meant for the ~17 KiB record buffers OpenSSL gives
    /// each TLS session: a burst of handshakes holds thousands of them at once, and in an arena they leave holes that
    /// the longer-lived small blocks allocated beside them keep resident after the burst.
    /// </summary>
    public static bool MapLargeBlocks(int bytes)
    {
        try { return MallOpt(M_MMAP_THRESHOLD, bytes) == 1; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return false; }
    }

    /// <summary>Returns freed heap pages to the kernel, so RSS shows what is kept.</summary>
    public static void Trim()
    {
        try { MallocTrim(0); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
    }

    /// <summary>Bytes of native heap in use (glibc's mallinfo2: small blocks plus mmapped ones), -1 when unknown.</summary>
    public static long InUseBytes()
    {
        try
        {
            var info = MallInfo2();
            return (long)(info.InUseBytes + info.MappedBytes);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return -1; }
    }

    /// <summary>Bytes the native heap holds from the kernel but has free (fragmentation and arena caches), -1 when unknown.</summary>
    public static long FreeBytes()
    {
        try { return (long)MallInfo2().FreeBytes; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return -1; }
    }

    /// <summary>
    /// Writes glibc's <c>malloc_info</c> report to <paramref name="path"/> (XML: each arena's free chunks by size, and
    /// what it holds from the kernel): whether a native heap's RSS is free pages a trim can give back or holes pinned
    /// by live blocks. False when it could not be written.
    /// </summary>
    public static bool WriteReport(string path)
    {
        try
        {
            nint stream = FOpen(path, "w");
            if (stream == 0) return false;
            int result = MallocInfo(0, stream);
            return (FClose(stream) == 0) & (result == 0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return false; }
    }

    [LibraryImport("libc", EntryPoint = "fopen", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint FOpen(string path, string mode);

    [LibraryImport("libc", EntryPoint = "fclose")]
    private static partial int FClose(nint stream);

    [LibraryImport("libc", EntryPoint = "malloc_info")]
    private static partial int MallocInfo(int options, nint stream);

    /// <summary>glibc's <c>struct mallinfo2</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct MallInfo
    {
        public nuint Arena, OrdinaryBlocks, SmallBlocks, MappedBlocks, MappedBytes, MaxTotal, FastFreeBytes, InUseBytes, FreeBytes, KeepCost;
    }

    [LibraryImport("libc", EntryPoint = "mallinfo2")]
    private static partial MallInfo MallInfo2();

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int MallOpt(int parameter, int value);

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);
}
