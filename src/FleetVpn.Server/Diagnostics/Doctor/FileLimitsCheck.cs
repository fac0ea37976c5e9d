using System.Globalization;

namespace FleetVpn.Server.Diagnostics.Doctor;

/// <summary>fs.file-max and this process's open-file limit (RLIMIT_NOFILE, as /proc/self/limits shows it).</summary>
public sealed class FileLimitsCheck : IDoctorCheck
{
    public IEnumerable<DoctorFinding> Run(DoctorContext context)
    {
        long minimum = KernelTargets.MinimumOpenFiles(context.Workers);
        yield return Limit("fs.file-max", context.Files.SysctlNumbers("fs.file-max")?[0], minimum, KernelTargets.RecommendedFileMax,
            $"fs.file-max = {KernelTargets.RecommendedFileMax} in /etc/sysctl.d/99-fleetvpn.conf");
        yield return Limit("open files (RLIMIT_NOFILE soft limit)", SoftOpenFiles(context.Files), minimum, KernelTargets.RecommendedOpenFiles,
            $"LimitNOFILE={KernelTargets.RecommendedOpenFiles} in the systemd unit, or 'ulimit -n {KernelTargets.RecommendedOpenFiles}' before starting");
    }

    private static DoctorFinding Limit(string name, long? found, long minimum, long recommended, string advice)
    {
        string wanted = $"at least {recommended} (the server needs {minimum}: no descriptor per client, one socket and tun queue per worker)";
        if (found is not { } value) return new DoctorFinding(name, DoctorStatus.Warn, DoctorFinding.Unreadable, wanted, advice);
        var status = value < minimum ? DoctorStatus.Fail : value < recommended ? DoctorStatus.Warn : DoctorStatus.Ok;
        return new DoctorFinding(name, status, value.ToString(CultureInfo.InvariantCulture), wanted, advice);
    }

    /// <summary>The soft "Max open files" of /proc/self/limits ("unlimited" reads as long.MaxValue).</summary>
    private static long? SoftOpenFiles(SystemFiles files)
    {
        var text = files.ReadText("/proc/self/limits");
        var line = text?.Split('\n').FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        var soft = line?["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        if (soft == "unlimited") return long.MaxValue;
        return long.TryParse(soft, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
    }
}
