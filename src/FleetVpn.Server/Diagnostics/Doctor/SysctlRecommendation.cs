using System.Globalization;
using System.Text;

namespace FleetVpn.Server.Diagnostics.Doctor;

/// <summary>
/// A sysctl.d file for the context's max-clients and workers. It never lowers what the machine already has: each
/// value is the larger of the one found and the one wanted (a value that cannot be read is taken as missing).
/// fs.file-max is written only when it is below what is wanted: current kernels default to far more.
/// </summary>
public static class SysctlRecommendation
{
    public static string Render(DoctorContext context)
    {
        var files = context.Files;
        var text = new StringBuilder()
            .AppendLine($"# FleetVPN kernel settings for max-clients {context.MaxClients} with {context.Workers} worker(s), written by 'fleetvpn doctor'.")
            .AppendLine("# Install as /etc/sysctl.d/99-fleetvpn.conf and apply with 'sysctl --system'.")
            .AppendLine("# FleetVPN keeps no descriptor per client (one UDP socket and tun queue per worker): the file limits do not grow with the fleet.");
        if (files.SysctlNumbers("fs.file-max")?[0] is { } fileMax && fileMax < KernelTargets.RecommendedFileMax)
            text.AppendLine($"fs.file-max = {KernelTargets.RecommendedFileMax}");
        text.AppendLine($"# Each worker socket asks {context.ReceiveBufferBytes} bytes to receive and {context.SendBufferBytes} to send (forced with CAP_NET_ADMIN; without it these caps apply).")
            .AppendLine(Line(files, "net.core.rmem_max", context.ReceiveBufferBytes))
            .AppendLine(Line(files, "net.core.wmem_max", context.SendBufferBytes))
            .AppendLine("# UDP memory in pages (min pressure max): every worker's buffers full, as the kernel counts them.")
            .AppendLine(UdpMemoryLine(context))
            .AppendLine(Line(files, "net.ipv4.udp_rmem_min", KernelTargets.RecommendedUdpBufferMin))
            .AppendLine(Line(files, "net.ipv4.udp_wmem_min", KernelTargets.RecommendedUdpBufferMin))
            .AppendLine("# Connection tracking, when loaded: one flow per client, twice for NAT rebinding ('-': skipped when the module is not loaded).")
            .AppendLine("-" + Line(files, "net.netfilter.nf_conntrack_max", KernelTargets.ConntrackEntries(context.MaxClients)))
            .AppendLine("# The served ports stay out of the ephemeral range's reach.")
            .AppendLine($"net.ipv4.ip_local_reserved_ports = {ReservedPorts(files, context.Ports)}");
        return text.ToString();
    }

    private static string Line(SystemFiles files, string name, long wanted) =>
        $"{name} = {Math.Max(wanted, files.SysctlNumbers(name)?[0] ?? 0).ToString(CultureInfo.InvariantCulture)}";

    private static string UdpMemoryLine(DoctorContext context)
    {
        var wanted = KernelTargets.UdpMemoryPages(context.Workers, context.ReceiveBufferBytes, context.SendBufferBytes);
        var found = context.Files.SysctlNumbers("net.ipv4.udp_mem") is { Length: 3 } current ? current : [0, 0, 0];
        return $"net.ipv4.udp_mem = {string.Join(' ', wanted.Zip(found, Math.Max))}";
    }

    /// <summary>The reserved list already there, with the served ports added.</summary>
    private static string ReservedPorts(SystemFiles files, IReadOnlyList<int> ports)
    {
        var current = (files.Sysctl("net.ipv4.ip_local_reserved_ports") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var added = ports.Select(p => p.ToString(CultureInfo.InvariantCulture)).Where(p => !current.Contains(p));
        return string.Join(',', current.Concat(added));
    }
}
