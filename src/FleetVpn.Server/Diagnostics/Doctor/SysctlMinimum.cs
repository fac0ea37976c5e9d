using System.Globalization;

namespace FleetVpn.Server.Diagnostics.Doctor;

/// <summary>The finding for a sysctl that should be at least some value, and only warns below it.</summary>
public static class SysctlMinimum
{
    /// <param name="why">What the minimum is for, shown after it in the wanted column.</param>
    public static DoctorFinding Check(SystemFiles files, string name, long minimum, string why)
    {
        string wanted = $"at least {minimum} ({why})";
        string advice = $"{name} = {minimum}";
        return files.SysctlNumbers(name)?[0] is { } value
            ? new DoctorFinding(name, value < minimum ? DoctorStatus.Warn : DoctorStatus.Ok, value.ToString(CultureInfo.InvariantCulture), wanted, advice)
            : new DoctorFinding(name, DoctorStatus.Warn, DoctorFinding.Unreadable, wanted, advice);
    }
}
