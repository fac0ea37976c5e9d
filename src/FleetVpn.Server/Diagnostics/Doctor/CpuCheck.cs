namespace FleetVpn.Server.Diagnostics.Doctor;

/// <summary>The CPUs the process may use against the workers, and AES-NI (the same detection as `fleetvpn bench crypto`).</summary>
public sealed class CpuCheck : IDoctorCheck
{
    public IEnumerable<DoctorFinding> Run(DoctorContext context)
    {
        yield return new DoctorFinding("CPUs", context.Workers > context.CpuCount ? DoctorStatus.Warn : DoctorStatus.Ok,
            $"{context.CpuCount} CPU(s) for {context.Workers} worker(s)", "no more workers than CPUs",
            "'workers 0' (one per CPU), or fewer workers: more only adds context switches");

        var aesNi = context.AesNi;
        yield return new DoctorFinding("AES-NI", aesNi.InUse ? DoctorStatus.Ok : DoctorStatus.Warn,
            aesNi.Describe()["AES-NI: ".Length..], "yes (AES-GCM in hardware)",
            "without it AES-GCM is several times slower: offer CHACHA20-POLY1305 first in data-ciphers");
    }
}
