using System.CommandLine;
using FleetVpn.Cli.Commands;

// The composition root: each command lives in Commands/ and wires its own services.
var root = new RootCommand("FleetVPN: an OpenVPN-compatible VPN server for large fleets of devices.")
{
    ServeCommand.Create(),
    SwarmCommand.Create(),
    PkiCommand.Create(),
    BenchCommand.Create(),
    DoctorCommand.Create(),
};

// Commands handle SIGINT/SIGTERM themselves (a clean shutdown), so System.CommandLine's own
// termination timeout is switched off.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
