namespace FleetVpn.Server.Diagnostics.Doctor;

/// <summary>The kernel's UDP receive and buffer errors since boot (/proc/net/snmp, snmp6): datagrams lost before any server read them.</summary>
public sealed class UdpErrorsCheck : IDoctorCheck
{
    public IEnumerable<DoctorFinding> Run(DoctorContext context)
    {
        var v4 = KernelUdpCounters.ReadIPv4(context.Files);
        var v6 = KernelUdpCounters.ReadIPv6(context.Files);
        if (v4 is null && v6 is null)
        {
            yield return new DoctorFinding("UDP errors", DoctorStatus.Warn, "/proc/net/snmp unreadable", "0");
            yield break;
        }
        long inErrors = (v4?.InErrors ?? 0) + (v6?.InErrors ?? 0);
        long receive = (v4?.ReceiveBufferErrors ?? 0) + (v6?.ReceiveBufferErrors ?? 0);
        long send = (v4?.SendBufferErrors ?? 0) + (v6?.SendBufferErrors ?? 0);
        yield return new DoctorFinding("UDP errors", inErrors + receive + send == 0 ? DoctorStatus.Ok : DoctorStatus.Warn,
            $"InErrors {inErrors}, RcvbufErrors {receive}, SndbufErrors {send} since boot", "0",
            "receive buffers overflowed: raise the buffers (see above), add workers, and watch fleetvpn_kernel_udp_* to see whether they still grow");
    }
}
