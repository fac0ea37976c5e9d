using System.Collections;
using System.Globalization;
using System.Runtime.InteropServices;
using FleetVpn.Platform.Hosting;

namespace FleetVpn.Platform.Memory;

/// <summary>
/// Two memory settings that only the environment at the start of a process can make, so a long-running server
/// re-executes itself once with them (same PID, arguments and descriptors, ~50 ms later); an operator's own value of
/// either is kept:
/// <list type="bullet">
/// <item>MALLOC_ARENA_MAX: glibc's malloc arenas. <see cref="NativeHeap.LimitArenas"/> in Main comes after the
/// runtime's threads have each made one (5 on 2 cores), and glibc keeps and reuses every arena that exists, each
/// fragmented by the TLS handshakes that ran on it.</item>
/// <item>DOTNET_GCGen0MaxBudget: the most the runtime allocates between two gen0 collections. Its default follows
/// the CPU's cache size (tens of MB here), and handshake garbage fills it before each collection: RSS that an idle
/// fleet does not need, resident again after every burst.</item>
/// </list>
/// </summary>
public static partial class MemorySettingsAtStart
{
    public const string ArenaVariable = "MALLOC_ARENA_MAX";
    public const string Gen0BudgetVariable = "DOTNET_GCGen0MaxBudget";

    /// <summary>The variables <paramref name="environment"/> lacks, with the values to add (none: nothing to do).</summary>
    public static IReadOnlyList<string> Missing(IDictionary environment, int arenas, long gen0BudgetBytes)
    {
        var missing = new List<string>();
        bool arenasSet = environment.Contains(ArenaVariable) ||
            (environment["GLIBC_TUNABLES"] is string tunables && tunables.Contains("glibc.malloc.arena_max", StringComparison.Ordinal));
        if (!arenasSet) missing.Add($"{ArenaVariable}={arenas.ToString(CultureInfo.InvariantCulture)}");
        // The runtime also reads the COMPlus_ spelling; its numbers are hexadecimal.
        if (!environment.Contains(Gen0BudgetVariable) && !environment.Contains("COMPlus_GCGen0MaxBudget"))
            missing.Add($"{Gen0BudgetVariable}={gen0BudgetBytes.ToString("x", CultureInfo.InvariantCulture)}");
        return missing;
    }

    /// <summary>
    /// Re-executes this process with the settings the environment lacks; returns only when it lacks none, or when
    /// execve failed (the process then goes on with the runtime's defaults).
    /// </summary>
    public static void EnsureOrReexecute(int arenas, long gen0BudgetBytes)
    {
        if (!OperatingSystem.IsLinux()) return;
        var environment = Environment.GetEnvironmentVariables();
        var missing = Missing(environment, arenas, gen0BudgetBytes);
        if (missing.Count == 0) return;
        var (file, arguments) = OwnCommandLine.Get();
        var argv = new List<string> { file };
        argv.AddRange(arguments);
        var envp = new List<string>();
        foreach (DictionaryEntry variable in environment) envp.Add($"{variable.Key}={variable.Value}");
        envp.AddRange(missing);
        RemoveDiagnosticsSocket();
        Execute(file, argv, envp);
    }

    /// <summary>
    /// The runtime's diagnostics socket (dotnet-counters, dotnet-gcdump, dotnet-trace) is named after the PID and the
    /// process start time, which the re-executed image keeps: left in place, the new runtime cannot bind it and the
    /// tools would find a dead socket. Removed just before execve, so the new image makes it again.
    /// </summary>
    private static void RemoveDiagnosticsSocket()
    {
        try
        {
            var directory = Environment.GetEnvironmentVariable("TMPDIR") is { Length: > 0 } tmp ? tmp : "/tmp";
            foreach (var socket in Directory.EnumerateFiles(directory, $"dotnet-diagnostic-{Environment.ProcessId}-*-socket"))
                File.Delete(socket);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    private static void Execute(string file, List<string> argv, List<string> envp)
    {
        var strings = new List<nint>();
        nint[] NullTerminated(List<string> values)
        {
            var pointers = new nint[values.Count + 1];
            for (int i = 0; i < values.Count; i++) strings.Add(pointers[i] = Marshal.StringToCoTaskMemUTF8(values[i]));
            return pointers;
        }
        try
        {
            Execve(file, NullTerminated(argv), NullTerminated(envp));
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }
        finally
        {
            foreach (var s in strings) Marshal.FreeCoTaskMem(s);
        }
    }

    /// <summary>execve(2): returns only on failure.</summary>
    [LibraryImport("libc", EntryPoint = "execve", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Execve(string path, nint[] argv, nint[] envp);
}
