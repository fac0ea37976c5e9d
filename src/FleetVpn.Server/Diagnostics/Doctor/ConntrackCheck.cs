using System.Globalization;

namespace FleetVpn.Server.Diagnostics.Doctor;

/// <summary>
/// net.netfilter.nf_conntrack_max when connection tracking is loaded: a full table drops new flows, so clients
/// past it cannot connect ("nf_conntrack: table full, dropping packet").
/// </summary>
public sealed class ConntrackCheck : IDoctorCheck
{
    public IEnumerable<DoctorFinding> Run(DoctorContext context)
    {
        const string name = "net.netfilter.nf_conntrack_max";
        long wanted = KernelTargets.ConntrackEntries(context.MaxClients);
        string wantedText = $"at least {wanted} (one flow per client of max-clients {context.MaxClients}, twice for NAT rebinding)";
        if (context.Files.SysctlNumbers(name)?[0] is not { } value)
        {
            yield return new DoctorFinding(name, DoctorStatus.Ok, "connection tracking not loaded", wantedText);
            yield break;
        }
        var status = value < context.MaxClients ? DoctorStatus.Fail : value < wanted ? DoctorStatus.Warn : DoctorStatus.Ok;
        yield return new DoctorFinding(name, status, value.ToString(CultureInfo.InvariantCulture), wantedText,
            $"{name} = {wanted}, or exempt the VPN port from tracking (nftables 'notrack')");
    }
}
