namespace FleetVpn.Server.Diagnostics.Doctor;

/// <summary>
/// net.ipv4.udp_mem (all UDP sockets together, in pages) against the workers' full buffers; udp_rmem_min and
/// udp_wmem_min, what each socket keeps when that memory runs short.
/// </summary>
public sealed class UdpMemoryCheck : IDoctorCheck
{
    public IEnumerable<DoctorFinding> Run(DoctorContext context)
    {
        var wanted = KernelTargets.UdpMemoryPages(context.Workers, context.ReceiveBufferBytes, context.SendBufferBytes);
        var found = context.Files.SysctlNumbers("net.ipv4.udp_mem");
        string wantedText = $"pressure at least {wanted[1]} and max at least {wanted[2]} pages ({context.Workers} worker socket(s) with full buffers)";
        string advice = $"net.ipv4.udp_mem = {string.Join(' ', wanted)}";
        if (found is not { Length: 3 })
            yield return new DoctorFinding("net.ipv4.udp_mem", DoctorStatus.Warn, DoctorFinding.Unreadable, wantedText, advice);
        else
            yield return new DoctorFinding("net.ipv4.udp_mem",
                found[2] < wanted[0] ? DoctorStatus.Fail : found[1] < wanted[1] || found[2] < wanted[2] ? DoctorStatus.Warn : DoctorStatus.Ok,
                string.Join(' ', found), wantedText, advice);

        foreach (var name in (string[])["net.ipv4.udp_rmem_min", "net.ipv4.udp_wmem_min"])
            yield return SysctlMinimum.Check(context.Files, name, KernelTargets.RecommendedUdpBufferMin, "what a socket keeps under memory pressure");
    }
}
