namespace FleetVpn.Server.Diagnostics.Doctor;

/// <summary>
/// net.core.rmem_max / wmem_max against the buffers each worker socket asks for (`rcvbuf`/`sndbuf`, or 4 MiB). With
/// CAP_NET_ADMIN (root, or the unit's AmbientCapabilities) FleetVPN forces the size past these caps, so a low cap is a
/// warning, not a failure.
/// </summary>
public sealed class SocketBufferCheck : IDoctorCheck
{
    private const string WithoutCapability = "without CAP_NET_ADMIN the sockets get only this cap";

    public IEnumerable<DoctorFinding> Run(DoctorContext context)
    {
        yield return SysctlMinimum.Check(context.Files, "net.core.rmem_max", context.ReceiveBufferBytes,
            $"the receive buffer each worker socket asks for; {WithoutCapability}");
        yield return SysctlMinimum.Check(context.Files, "net.core.wmem_max", context.SendBufferBytes,
            $"the send buffer each worker socket asks for; {WithoutCapability}");
    }
}
