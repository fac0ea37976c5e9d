using FleetVpn.Platform.Memory;

namespace FleetVpn.Server.Diagnostics;

/// <summary>
/// Hands memory back to the kernel after a burst (a reconnect storm, a fleet ramping up): the GC keeps the regions
/// that handshake garbage once filled and glibc keeps the native heap OpenSSL used, so without this a server that
/// once took a storm keeps that RSS for good. Checked once a minute: the blocking full collection runs only after a
/// burst or when the managed heap holds as much unused as live (<see cref="ShouldCollect"/>), so a steady server
/// never pays it; the cheap native trim runs whenever <see cref="TrimThresholdBytes"/> are free.
/// </summary>
public static class MemoryReclaimer
{
    /// <summary>GC-committed memory beyond the heap always tolerated (the gen0 budget and a little more).</summary>
    public const long MinCollectThresholdBytes = 16L * 1024 * 1024;

    /// <summary>
    /// Whether a compacting full collection is worth it: after a burst, or when the GC holds more unused than live
    /// memory (and more than <see cref="MinCollectThresholdBytes"/>). Relative to the live heap, so a server under
    /// steady churn (clients leaving and coming back) is held to about twice its live heap, while a million-client
    /// heap, whose collection stops every thread for about a second, is not collected for a few MB.
    /// </summary>
    public static bool ShouldCollect(long heapBytes, long committedBytes, bool afterBurst) =>
        afterBurst || committedBytes - heapBytes >= Math.Max(MinCollectThresholdBytes, heapBytes);

    /// <summary>
    /// Free native heap worth a trim. Small on purpose: the holes a burst of handshakes leaves in glibc's arenas stay
    /// resident until a trim hands their pages back (glibc itself only trims the top of a heap), and a few MB of holes
    /// are a few hundred bytes per device at 10,000 devices. A trim walks the free chunks (milliseconds).
    /// </summary>
    public const long TrimThresholdBytes = 4L * 1024 * 1024;

    /// <summary>What the process holds, for the resources log line.</summary>
    public static string Describe()
    {
        var gc = GC.GetGCMemoryInfo();
        long native = NativeHeap.InUseBytes();
        return $"rss {Environment.WorkingSet / (1024 * 1024)} MB, managed heap {gc.HeapSizeBytes / (1024 * 1024)} MB " +
            $"(committed {gc.TotalCommittedBytes / (1024 * 1024)} MB), native heap {(native < 0 ? "?" : (native / (1024 * 1024)).ToString(System.Globalization.CultureInfo.InvariantCulture))} MB";
    }

    /// <summary>
    /// Compacts the managed heap and trims the native one when enough is unused, or when a burst of handshakes just
    /// ended (<paramref name="afterBurst"/>): the sessions it left behind (abandoned, replaced, failed) lived long
    /// enough to reach the oldest generation, and an idle server allocates too little for the GC to collect that
    /// generation by itself, so their records would stay in the heap. Returns the RSS given back in bytes (0 when
    /// nothing was done); <paramref name="collected"/> tells whether the compacting collection ran (a native trim
    /// alone does not count: it runs every minute of a ramp).
    /// </summary>
    /// <remarks>
    /// The two heaps are judged apart. glibc counts pages it already gave back as free for good, so free native memory
    /// stays high after a trim (and a trim runs every minute once a burst has left holes). Judged together, a server
    /// would run a blocking full compaction every minute. The trim is cheap; the collection stops every thread, for a
    /// second at a million sessions.
    /// </remarks>
    public static long ReclaimIfWorthIt(bool afterBurst, out bool collected)
    {
        var gc = GC.GetGCMemoryInfo();
        long unusedNative = Math.Max(0, NativeHeap.FreeBytes());
        bool collect = collected = ShouldCollect(gc.HeapSizeBytes, gc.TotalCommittedBytes, afterBurst);
        bool trim = collect || unusedNative >= TrimThresholdBytes;
        if (!trim) return 0;
        long before = Environment.WorkingSet;
        if (collect) GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        NativeHeap.Trim();
        return Math.Max(0, before - Environment.WorkingSet);
    }
}
