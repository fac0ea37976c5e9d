using System.Text.RegularExpressions;

namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Checks what the end-to-end tests need (root, iproute2, openvpn 2.6+, ping, /dev/net/tun,
/// the server under test) and fails with one clear message when something is missing.
/// Never skips: a missing prerequisite is a failed test, on CI and off it.
/// </summary>
public static partial class Prerequisites
{
    private static readonly Lazy<string?> Problem = new(FindProblems);

    /// <summary>Throws when a prerequisite is missing. Cheap after the first call.</summary>
    public static void Require()
    {
        if (Problem.Value is { } problem) throw new InvalidOperationException(problem);
    }

    private static string? FindProblems()
    {
        var missing = new List<string>();
        if (LibC.geteuid() != 0) missing.Add("root: the tests create network namespaces and tun devices (run as root, e.g. sudo)");
        if (Tools.Find("ip") is null) missing.Add("`ip` (Debian package iproute2)");
        if (Tools.Find("ping") is null) missing.Add("`ping` (Debian package iputils-ping)");
        if (!File.Exists("/dev/net/tun")) missing.Add("/dev/net/tun (kernel tun module: modprobe tun)");

        var openvpn = Tools.Find("openvpn");
        if (openvpn is null)
        {
            missing.Add("`openvpn` 2.6 (Debian package openvpn)");
        }
        else
        {
            var version = OpenVpnVersion(openvpn);
            if (version is null || version < new Version(2, 6))
                missing.Add($"`openvpn` 2.6 or newer (found {(version?.ToString() ?? "an unknown version")} at {openvpn})");
        }

        if (E2ESettings.Server == ServerKind.FleetVpn)
        {
            if (!File.Exists(E2ESettings.FleetVpnCliPath))
                missing.Add($"the fleetvpn CLI at {E2ESettings.FleetVpnCliPath} (build the solution, or set FLEETVPN_E2E_CLI)");
            if (E2ESettings.FleetVpnCliPath.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) && Tools.FindDotnet() is null)
                missing.Add("the `dotnet` host to run fleetvpn.dll");
        }

        if (missing.Count == 0) return null;
        var where = E2ESettings.IsCi ? "CI=true, so this is a failure" : "not skipping: this is a failure";
        return "End-to-end test prerequisites are missing (" + where + "):\n  - "
               + string.Join("\n  - ", missing)
               + "\nRun the tests with `sudo scripts/test.sh` (it installs them with apt-get), as CI's .ci/run does.";
    }

    private static Version? OpenVpnVersion(string openvpn)
    {
        try
        {
            var result = Task.Run(() => Commands.RunAsync(openvpn, ["--version"], TimeSpan.FromSeconds(10))).GetAwaiter().GetResult();
            var match = VersionPattern().Match(result.StandardOutput + result.StandardError);
            return match.Success ? new Version(int.Parse(match.Groups[1].Value), int.Parse(match.Groups[2].Value)) : null;
        }
        catch (Exception)
        {
            return null;
        }
    }

    [GeneratedRegex(@"OpenVPN (\d+)\.(\d+)")]
    private static partial Regex VersionPattern();
}
