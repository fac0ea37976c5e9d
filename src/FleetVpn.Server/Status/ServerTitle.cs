using System.Reflection;
using System.Runtime.InteropServices;

namespace FleetVpn.Server.Status;

/// <summary>
/// The line OpenVPN calls its title (status TITLE, management `version` and `help`). It names FleetVPN
/// and the OpenVPN release it speaks for, so tools that look for "OpenVPN 2.6" still find it; it holds no
/// comma or tab, which the status formats use as separators (openvpn_exporter refuses a TITLE that splits).
/// </summary>
public static class ServerTitle
{
    public static string Text { get; } =
        $"FleetVPN {Version} (OpenVPN 2.6 compatible) {RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant()}-linux";

    private static string Version =>
        typeof(ServerTitle).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0";
}
