using System.CommandLine;
using FleetVpn.Cli.Commands;
using FleetVpn.Platform.Memory;

// Two malloc arenas instead of up to 8 per core, set before the runtime's threads have made theirs: glibc fixes
// its arena limit once more than 8 arenas exist, and each thread-pool thread that ran a TLS handshake would keep
// one, fragmented, for good.
NativeHeap.LimitArenas(2);
// TLS record buffers (~17 KiB each, two per handshake in flight) in mappings of their own, not in the arenas: what a
// burst of handshakes leaves behind is then unmapped, not holes pinned by the small blocks around them.
NativeHeap.MapLargeBlocks(16 * 1024);

// The composition root: each command lives in Commands/ and wires its own services.
var root = new RootCommand("FleetVPN: an OpenVPN-compatible VPN server for large fleets of devices.")
{
    ServeCommand.Create(),
    SwarmCommand.Create(),
    PkiCommand.Create(),
    BenchCommand.Create(),
    DoctorCommand.Create(),
    LbCommand.Create(),
};

// Commands handle SIGINT/SIGTERM themselves (a clean shutdown), so System.CommandLine's own
// termination timeout is switched off.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
