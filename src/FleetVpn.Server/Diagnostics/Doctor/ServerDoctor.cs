namespace FleetVpn.Server.Diagnostics.Doctor;

/// <summary>
/// `fleetvpn doctor`: every check in the order the report prints them. The server runs the
/// <see cref="KernelLimitChecks"/> itself at start-up and logs what they find off.
/// </summary>
public static class ServerDoctor
{
    /// <summary>The limits that decide whether the kernel holds max-clients (the start-up warnings).</summary>
    public static IReadOnlyList<IDoctorCheck> KernelLimitChecks { get; } =
        [new FileLimitsCheck(), new SocketBufferCheck(), new UdpMemoryCheck(), new ConntrackCheck()];

    public static IReadOnlyList<IDoctorCheck> AllChecks { get; } =
        [.. KernelLimitChecks, new LocalPortRangeCheck(), new TunDeviceCheck(), new CpuCheck(), new UdpErrorsCheck()];

    public static IReadOnlyList<DoctorFinding> Run(DoctorContext context, IEnumerable<IDoctorCheck>? checks = null) =>
        (checks ?? AllChecks).SelectMany(check => check.Run(context)).ToList();

    /// <summary>0 when nothing failed, 1 otherwise (warnings alone pass).</summary>
    public static int ExitCode(IEnumerable<DoctorFinding> findings) => findings.Any(f => f.Status == DoctorStatus.Fail) ? 1 : 0;
}
