namespace FleetVpn.Server.Diagnostics.Doctor;

/// <summary>One line of the doctor's report: what was checked, the verdict, the value found and the value wanted, and how to fix it.</summary>
public sealed record DoctorFinding(string Name, DoctorStatus Status, string Found, string Wanted, string? Advice = null)
{
    /// <summary>What <see cref="Found"/> says when the kernel file is missing or cannot be read.</summary>
    public const string Unreadable = "unreadable";

    /// <summary><c>WARN  net.core.rmem_max: found 212992, wanted at least 4194304</c>, the advice on a second line.</summary>
    public override string ToString()
    {
        var line = $"{Status.ToString().ToUpperInvariant(),-4}  {Name}: found {Found}; wanted {Wanted}";
        return Advice is null || Status == DoctorStatus.Ok ? line : $"{line}\n      {Advice}";
    }
}
