using System.CommandLine;
using FleetVpn.Server.Config;
using FleetVpn.Server.Diagnostics.Doctor;

namespace FleetVpn.Cli.Commands;

/// <summary>
/// <c>fleetvpn doctor [--config FILE] [--cd DIR] [--max-clients N] [--sysctl-out FILE]</c>: checks this machine's
/// kernel and limits against the configured max-clients (<see cref="ServerDoctor"/>), prints OK / WARN / FAIL with
/// the value found and wanted for each, then a sysctl.d file with the recommended values (or writes it to FILE).
/// Exit codes: 0 nothing failed (warnings allowed), 1 a check failed or the configuration or arguments are bad.
/// </summary>
internal static class DoctorCommand
{
    public const int ExitOk = 0;
    public const int ExitFailed = 1;

    public static Command Create()
    {
        var config = new Option<string?>("--config")
        {
            Description = "The server.conf to check against (max-clients, workers, port, metrics); without it OpenVPN's defaults (max-clients 1024).",
            HelpName = "FILE",
        };
        var workingDirectory = new Option<string?>("--cd")
        {
            Description = "Directory that the config file and the relative paths inside it resolve against, as for serve.",
            HelpName = "DIR",
        };
        var maxClients = new Option<int?>("--max-clients")
        {
            Description = "The target client count, instead of the configuration's max-clients.",
            HelpName = "N",
        };
        var sysctlOut = new Option<string?>("--sysctl-out")
        {
            Description = "Write the recommended sysctl.d file here instead of printing it.",
            HelpName = "FILE",
        };

        var command = new Command("doctor",
            "Check this machine for the configured max-clients: fs.file-max and the open-file limit, socket buffer caps, UDP memory, " +
            "conntrack, the ephemeral port range, the tun device, CPUs and AES-NI, and the kernel's UDP errors. Prints OK, WARN or FAIL " +
            "with the value found and wanted for each, then a sysctl.d file with the recommended values. " +
            "Exit codes: 0 when nothing FAILs (warnings allowed), 1 when a check fails or the configuration cannot be read.")
        {
            config, workingDirectory, maxClients, sysctlOut,
        };

        command.SetAction(parse =>
        {
            ServerOptions options;
            try
            {
                options = parse.GetValue(config) is { } path ? ServerConfigParser.ParseFile(path, [], parse.GetValue(workingDirectory)) : new ServerOptions();
            }
            catch (ConfigException error)
            {
                Console.Error.WriteLine(error.Message);
                return ExitFailed;
            }
            if (parse.GetValue(maxClients) is { } target)
            {
                if (target < 1)
                {
                    Console.Error.WriteLine($"doctor: --max-clients must be at least 1, not {target}");
                    return ExitFailed;
                }
                options.MaxClients = target;
            }
            return Run(options, parse.GetValue(sysctlOut));
        });
        return command;
    }

    private static int Run(ServerOptions options, string? sysctlOut)
    {
        var context = DoctorContext.ForMachine(options);
        Console.WriteLine($"fleetvpn doctor: max-clients {context.MaxClients}, {context.Workers} worker(s), port(s) {string.Join(',', context.Ports)}");
        var findings = ServerDoctor.Run(context);
        foreach (var finding in findings) Console.WriteLine(finding);
        int exitCode = ServerDoctor.ExitCode(findings);
        int warnings = findings.Count(f => f.Status == DoctorStatus.Warn), failures = findings.Count(f => f.Status == DoctorStatus.Fail);
        Console.WriteLine($"{findings.Count} checks: {findings.Count - warnings - failures} OK, {warnings} WARN, {failures} FAIL");

        var sysctl = SysctlRecommendation.Render(context);
        if (sysctlOut is null)
        {
            Console.WriteLine();
            Console.WriteLine("Recommended /etc/sysctl.d/99-fleetvpn.conf:");
            Console.Write(sysctl);
            return exitCode;
        }
        try
        {
            File.WriteAllText(sysctlOut, sysctl);
            Console.WriteLine($"sysctl settings written to {sysctlOut}");
            return exitCode;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"doctor: cannot write {sysctlOut}: {e.Message}");
            return ExitFailed;
        }
    }
}
