using System.CommandLine;
using FleetVpn.Cli.Commands;
using FleetVpn.Platform.Memory;

// Two malloc arenas instead of up to 8 per core: each thread that ran a TLS handshake would keep one, fragmented,
// for good. The server sets them, and a gen0 budget of 8 MB, from the process's start (a re-exec); other commands
// cap the arenas left to make.
const int MallocArenas = 2;
if (args is ["serve", ..]) MemorySettingsAtStart.EnsureOrReexecute(MallocArenas, gen0BudgetBytes: 8 * 1024 * 1024);
NativeHeap.LimitArenas(MallocArenas);
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
