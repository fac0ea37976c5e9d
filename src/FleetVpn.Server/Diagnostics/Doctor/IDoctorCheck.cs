namespace FleetVpn.Server.Diagnostics.Doctor;

/// <summary>One area the doctor looks at; it may report more than one finding (the open-file check has two).</summary>
public interface IDoctorCheck
{
    IEnumerable<DoctorFinding> Run(DoctorContext context);
}
