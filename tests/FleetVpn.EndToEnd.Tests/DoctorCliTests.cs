using System.Text.RegularExpressions;
using FleetVpn.EndToEnd.Tests.Infrastructure;

namespace FleetVpn.EndToEnd.Tests;

/// <summary>
/// The real <c>fleetvpn doctor</c> on this machine: it ends with 0 or 1 as its findings say, prints a line for each
/// check, and its sysctl file follows the configuration. This machine's values are not judged (they are whatever
/// the machine has); only that each check reports one.
/// </summary>
public sealed partial class DoctorCliTests
{
    private static readonly string[] CheckNames =
    [
        "fs.file-max", "open files (RLIMIT_NOFILE soft limit)", "net.core.rmem_max", "net.core.wmem_max", "net.ipv4.udp_mem",
        "net.ipv4.udp_rmem_min", "net.ipv4.udp_wmem_min", "net.netfilter.nf_conntrack_max", "net.ipv4.ip_local_port_range",
        "tun device", "multi-queue tun", "CPUs", "AES-NI", "UDP errors",
    ];

    [Fact]
    public async Task Without_a_config_every_check_prints_a_line_and_the_exit_code_follows_the_failures()
    {
        var result = await FleetVpnCli.RunAsync(["doctor"]);

        var lines = FindingLines(result.StandardOutput);
        foreach (var name in CheckNames)
            Assert.True(lines.Any(l => l.Name == name), $"no line for the check '{name}':\n{result}");
        Assert.Equal(CheckNames.Length, lines.Count);
        Assert.Equal(lines.Any(l => l.Status == "FAIL") ? 1 : 0, result.ExitCode);
        Assert.Contains("fleetvpn doctor: max-clients 1024,", result.StandardOutput);
        Assert.Contains($"{CheckNames.Length} checks: ", result.StandardOutput);
        Assert.Contains("Recommended /etc/sysctl.d/99-fleetvpn.conf:", result.StandardOutput);
        Assert.Contains("-net.netfilter.nf_conntrack_max = ", result.StandardOutput);
    }

    [Fact]
    public async Task With_a_config_the_target_and_ports_come_from_it_and_the_sysctl_file_is_written()
    {
        var directory = Directory.CreateTempSubdirectory("fve2e-doctor-");
        try
        {
            var pki = Path.Combine(RepositoryRoot(), "examples", "pki");
            var config = Path.Combine(directory.FullName, "server.conf");
            await File.WriteAllTextAsync(config, $"""
                ca {pki}/ca.crt
                cert {pki}/server.crt
                key {pki}/server.key
                server 10.8.0.0 255.255.0.0
                port 1195
                max-clients 300000
                workers 3
                metrics 127.0.0.1 9469

                """);
            var sysctl = Path.Combine(directory.FullName, "99-fleetvpn.conf");

            var result = await FleetVpnCli.RunAsync(["doctor", "--config", config, "--sysctl-out", sysctl]);

            Assert.True(result.ExitCode is 0 or 1, result.ToString());
            Assert.Contains("fleetvpn doctor: max-clients 300000, 3 worker(s), port(s) 1195,9469", result.StandardOutput);
            Assert.Equal(CheckNames.Length, FindingLines(result.StandardOutput).Count);
            Assert.Contains($"sysctl settings written to {sysctl}", result.StandardOutput);
            var text = await File.ReadAllTextAsync(sysctl);
            Assert.Contains("# FleetVPN kernel settings for max-clients 300000 with 3 worker(s)", text);
            Assert.Matches(@"(?m)^-net\.netfilter\.nf_conntrack_max = \d+$", text);
            Assert.True(ConntrackValue(text) >= 600_000, text);
            Assert.Matches(@"(?m)^net\.ipv4\.ip_local_reserved_ports = (.*,)?1195,9469$", text);

            var larger = await FleetVpnCli.RunAsync(["doctor", "--config", config, "--max-clients", "1000000"]);
            Assert.Contains("fleetvpn doctor: max-clients 1000000,", larger.StandardOutput);
            Assert.True(ConntrackValue(larger.StandardOutput) >= 2_000_000, larger.ToString());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_bad_config_exits_1_with_file_line_and_directive()
    {
        var directory = Directory.CreateTempSubdirectory("fve2e-doctor-");
        try
        {
            var config = Path.Combine(directory.FullName, "bad.conf");
            await File.WriteAllTextAsync(config, "max-clients lots\n");

            var result = await FleetVpnCli.RunAsync(["doctor", "--config", config]);

            Assert.Equal(1, result.ExitCode);
            Assert.Contains($"{config}:1: 'max-clients lots': max-clients: 'lots' is not a non-negative integer", result.StandardError);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static List<(string Status, string Name)> FindingLines(string output) =>
        FindingLine().Matches(output).Select(m => (m.Groups["status"].Value, m.Groups["name"].Value)).ToList();

    private static long ConntrackValue(string text) =>
        long.Parse(ConntrackLine().Match(text).Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture);

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "FleetVpn.slnx"))) return dir.FullName;
        throw new DirectoryNotFoundException($"FleetVpn.slnx not found above {AppContext.BaseDirectory}");
    }

    [GeneratedRegex(@"(?m)^(?<status>OK|WARN|FAIL) +(?<name>[^:\n]+): found .+; wanted .+$")]
    private static partial Regex FindingLine();

    [GeneratedRegex(@"(?m)^-net\.netfilter\.nf_conntrack_max = (?<value>\d+)\r?$")]
    private static partial Regex ConntrackLine();
}
