namespace FleetVpn.Server.Diagnostics.Doctor;

/// <summary>
/// /dev/net/tun, and multi-queue tun (IFF_MULTI_QUEUE, Linux 3.8 and later), which gives each worker its own queue.
/// </summary>
public sealed class TunDeviceCheck : IDoctorCheck
{
    private static readonly Version MultiQueueSince = new(3, 8);

    public IEnumerable<DoctorFinding> Run(DoctorContext context)
    {
        bool present = context.Files.Exists("/dev/net/tun");
        yield return new DoctorFinding("tun device", present ? DoctorStatus.Ok : DoctorStatus.Fail,
            present ? "/dev/net/tun" : "no /dev/net/tun", "/dev/net/tun",
            "load the tun module ('modprobe tun'); in a container, pass the device through (--device /dev/net/tun)");

        var release = context.Files.Sysctl("kernel.osrelease");
        var version = KernelVersion(release);
        string wanted = $"Linux {MultiQueueSince} or later (one tun queue per worker: {context.Workers})";
        var status = version is null ? DoctorStatus.Warn
            : version >= MultiQueueSince ? DoctorStatus.Ok
            : context.Workers > 1 ? DoctorStatus.Fail : DoctorStatus.Warn;
        yield return new DoctorFinding("multi-queue tun", status, release is null ? "kernel release unreadable" : $"Linux {release}", wanted,
            "a newer kernel, or 'workers 1'");
    }

    /// <summary>"6.1.0-18-amd64" as 6.1; null when it does not start with two numbers.</summary>
    private static Version? KernelVersion(string? release)
    {
        var parts = (release ?? "").Split('.', '-');
        return parts.Length >= 2 && int.TryParse(parts[0], out int major) && int.TryParse(parts[1], out int minor) ? new Version(major, minor) : null;
    }
}
