using System.Globalization;

namespace FleetVpn.Server.Diagnostics.Doctor;

/// <summary>
/// net.core.rmem_max / wmem_max against the 4 MiB each worker socket asks for. With CAP_NET_ADMIN (root, or the
/// unit's AmbientCapabilities) FleetVPN forces the size past these caps, so a low cap is a warning, not a failure.
/// </summary>
public sealed class SocketBufferCheck : IDoctorCheck
{
    public IEnumerable<DoctorFinding> Run(DoctorContext context)
    {
        foreach (var name in (string[])["net.core.rmem_max", "net.core.wmem_max"])
        {
            string wanted = $"at least {KernelTargets.SocketBufferBytes} (the buffer each worker socket asks for)";
            string advice = $"{name} = {KernelTargets.SocketBufferBytes}; without CAP_NET_ADMIN the sockets get only this cap";
            yield return context.Files.SysctlNumbers(name)?[0] is { } value
                ? new DoctorFinding(name, value < KernelTargets.SocketBufferBytes ? DoctorStatus.Warn : DoctorStatus.Ok, value.ToString(CultureInfo.InvariantCulture), wanted, advice)
                : new DoctorFinding(name, DoctorStatus.Warn, DoctorFinding.Unreadable, wanted, advice);
        }
    }
}
