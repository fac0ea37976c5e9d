namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>Signals one process by its PID: only processes this harness started.</summary>
internal static class ProcessKiller
{
    public static void Terminate(int pid) => _ = LibC.kill(pid, LibC.SIGTERM);

    public static void Kill(int pid) => _ = LibC.kill(pid, LibC.SIGKILL);

    public static bool IsAlive(int pid) => Directory.Exists($"/proc/{pid}");
}
