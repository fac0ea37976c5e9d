using System.Collections.Concurrent;

namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Cleanup when the test host exits: processes and namespaces still registered then (a test
/// aborted, the run cancelled) are stopped by PID and deleted, and the run's temp folders
/// (the shared PKI) are removed. Normal disposal unregisters processes and namespaces first.
/// </summary>
internal static class CleanupRegistry
{
    private static readonly ConcurrentDictionary<int, string> Processes = new();
    private static readonly ConcurrentDictionary<string, byte> Namespaces = new();
    private static readonly ConcurrentDictionary<string, byte> Directories = new();

    static CleanupRegistry()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => RunAll();
    }

    public static void AddProcess(int pid, string what) => Processes[pid] = what;
    public static void RemoveProcess(int pid) => Processes.TryRemove(pid, out _);
    public static void AddNamespace(string name) => Namespaces[name] = 0;
    public static void RemoveNamespace(string name) => Namespaces.TryRemove(name, out _);
    public static void AddDirectory(string path) => Directories[path] = 0;

    private static void RunAll()
    {
        foreach (var pid in Processes.Keys) ProcessKiller.Kill(pid);
        foreach (var ns in Namespaces.Keys)
        {
            try { Commands.IpBlocking(TimeSpan.FromSeconds(5), "netns", "del", ns); }
            catch (Exception) { /* best effort while exiting */ }
        }
        foreach (var dir in Directories.Keys)
        {
            try { Directory.Delete(dir, recursive: true); }
            catch (Exception) { /* best effort while exiting */ }
        }
    }
}
