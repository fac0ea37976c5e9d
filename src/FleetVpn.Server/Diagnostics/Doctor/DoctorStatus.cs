namespace FleetVpn.Server.Diagnostics.Doctor;

/// <summary>A check's verdict: fine; off but the server runs (slower, or dropping under load); or the server cannot serve the target.</summary>
public enum DoctorStatus
{
    Ok,
    Warn,
    Fail,
}
