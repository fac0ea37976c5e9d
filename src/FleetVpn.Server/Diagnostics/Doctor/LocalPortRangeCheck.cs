namespace FleetVpn.Server.Diagnostics.Doctor;

/// <summary>
/// net.ipv4.ip_local_port_range: a served port inside the ephemeral range can be taken by any outgoing connection
/// while the server is down (a restart then fails to bind) unless ip_local_reserved_ports holds it.
/// </summary>
public sealed class LocalPortRangeCheck : IDoctorCheck
{
    public IEnumerable<DoctorFinding> Run(DoctorContext context)
    {
        const string name = "net.ipv4.ip_local_port_range";
        string ports = string.Join(',', context.Ports);
        string wanted = $"port(s) {ports} outside it, or listed in net.ipv4.ip_local_reserved_ports";
        string advice = $"net.ipv4.ip_local_reserved_ports = {ports}";
        if (context.Files.SysctlNumbers(name) is not { Length: 2 } range)
        {
            yield return new DoctorFinding(name, DoctorStatus.Warn, DoctorFinding.Unreadable, wanted, advice);
            yield break;
        }
        var reserved = ReservedPorts(context.Files.Sysctl("net.ipv4.ip_local_reserved_ports"));
        var exposed = context.Ports.Where(p => p >= range[0] && p <= range[1] && !reserved(p)).ToList();
        yield return new DoctorFinding(name, exposed.Count == 0 ? DoctorStatus.Ok : DoctorStatus.Warn,
            $"{range[0]}-{range[1]}{(exposed.Count == 0 ? "" : $", holding port(s) {string.Join(',', exposed)}")}", wanted, advice);
    }

    /// <summary>The reserved list ("1194,9000-9010") as a test; an empty or missing list reserves nothing.</summary>
    private static Func<int, bool> ReservedPorts(string? list)
    {
        var ranges = new List<(int First, int Last)>();
        foreach (var part in (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var bounds = part.Split('-');
            if (int.TryParse(bounds[0], out int first))
                ranges.Add((first, bounds.Length == 2 && int.TryParse(bounds[1], out int last) ? last : first));
        }
        return port => ranges.Any(r => port >= r.First && port <= r.Last);
    }
}
