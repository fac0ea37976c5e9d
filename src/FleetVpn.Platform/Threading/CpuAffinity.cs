using System.Runtime.InteropServices;
using FleetVpn.Platform.Native;

namespace FleetVpn.Platform.Threading;

/// <summary>Pins the calling thread to one CPU (sched_setaffinity on the thread itself).</summary>
public static unsafe partial class CpuAffinity
{
    /// <summary>CPUs 0 … 1023: glibc's cpu_set_t.</summary>
    private const int MaskBytes = 128;

    /// <summary>Pins the calling thread to <paramref name="cpu"/>; throws <see cref="IOException"/> with the reason.</summary>
    public static void PinCurrentThread(int cpu)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(cpu);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(cpu, MaskBytes * 8);
        byte* mask = stackalloc byte[MaskBytes];
        new Span<byte>(mask, MaskBytes).Clear();
        mask[cpu / 8] = (byte)(1 << (cpu % 8));
        // pid 0 is the calling thread, not the whole process (Linux affinity is per thread).
        if (SchedSetAffinity(0, MaskBytes, mask) != 0) throw PlatformErrors.Last($"sched_setaffinity cpu {cpu}");
    }

    /// <summary>The CPUs this process may run on now (its affinity mask), e.g. fewer than the machine has in a container.</summary>
    public static IReadOnlyList<int> Allowed()
    {
        byte* mask = stackalloc byte[MaskBytes];
        if (SchedGetAffinity(0, MaskBytes, mask) != 0) return Enumerable.Range(0, Environment.ProcessorCount).ToList();
        var cpus = new List<int>();
        for (int i = 0; i < MaskBytes * 8; i++)
            if ((mask[i / 8] & (1 << (i % 8))) != 0) cpus.Add(i);
        return cpus;
    }

    [LibraryImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static partial int SchedSetAffinity(int pid, nuint size, byte* mask);

    [LibraryImport("libc", EntryPoint = "sched_getaffinity", SetLastError = true)]
    private static partial int SchedGetAffinity(int pid, nuint size, byte* mask);
}
