using System.Runtime.InteropServices;
using X86Aes = System.Runtime.Intrinsics.X86.Aes;

namespace FleetVpn.Platform.Cpu;

/// <summary>
/// Whether AES-NI is there for the data channel. .NET's AesGcm and Aes run in OpenSSL on Linux, which picks
/// AES-NI from CPUID unless OPENSSL_ia32cap masks it; the JIT's <see cref="X86Aes.IsSupported"/> is the same
/// CPUID bit seen by .NET (false under DOTNET_EnableAES=0, which does not affect OpenSSL), so both are shown.
/// </summary>
public sealed record AesNiSupport(bool IsX86, bool CpuInfoFlag, bool IntrinsicSupported, string? OpenSslCapabilityMask)
{
    /// <summary>The CPU has it, .NET sees it, and nothing tells OpenSSL to ignore CPUID.</summary>
    public bool InUse => IsX86 && CpuInfoFlag && IntrinsicSupported && OpenSslCapabilityMask is null;

    public static AesNiSupport Detect() => Detect(ReadCpuInfo());

    /// <summary>This process's view, with the CPU flags taken from <paramref name="cpuInfoLines"/> (the lines of /proc/cpuinfo).</summary>
    public static AesNiSupport Detect(IReadOnlyList<string> cpuInfoLines) => new(
        RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86,
        CpuInfoHasAesFlag(cpuInfoLines),
        X86Aes.IsSupported,
        Environment.GetEnvironmentVariable("OPENSSL_ia32cap") is { Length: > 0 } mask ? mask : null);

    /// <summary>One line, starting "AES-NI: yes" or "AES-NI: no".</summary>
    public string Describe()
    {
        var line = $"AES-NI: {(InUse ? "yes" : "no")} (/proc/cpuinfo flag 'aes': {(CpuInfoFlag ? "yes" : "no")}, " +
                   $"System.Runtime.Intrinsics.X86.Aes.IsSupported: {IntrinsicSupported})";
        if (!IsX86) line += $"; not an x86 CPU ({RuntimeInformation.ProcessArchitecture})";
        if (OpenSslCapabilityMask is not null) line += $"; OPENSSL_ia32cap={OpenSslCapabilityMask} may mask it in OpenSSL";
        return line;
    }

    /// <summary>The CPU model from /proc/cpuinfo, or null where there is none.</summary>
    public static string? CpuModel()
    {
        foreach (var line in ReadCpuInfo())
            if (line.StartsWith("model name", StringComparison.Ordinal) && line.IndexOf(':') is int colon and > 0)
                return line[(colon + 1)..].Trim();
        return null;
    }

    // x86 lists CPU features on "flags" lines; the first CPU's line stands for all of them.
    public static bool CpuInfoHasAesFlag(IEnumerable<string> cpuInfoLines)
    {
        foreach (var line in cpuInfoLines)
        {
            if (!line.StartsWith("flags", StringComparison.Ordinal) || line.IndexOf(':') is not (int colon and > 0)) continue;
            return line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains("aes");
        }
        return false;
    }

    private static IReadOnlyList<string> ReadCpuInfo()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo").ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
