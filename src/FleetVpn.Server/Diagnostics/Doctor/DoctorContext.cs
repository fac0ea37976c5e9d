using FleetVpn.Platform.Cpu;
using FleetVpn.Platform.Threading;
using FleetVpn.Server.Config;

namespace FleetVpn.Server.Diagnostics.Doctor;

/// <summary>
/// What the checks are measured against: the kernel's files (a fake tree in tests) and the server's target,
/// max-clients, worker count and ports, taken from a configuration or OpenVPN's defaults.
/// </summary>
public sealed record DoctorContext
{
    public required SystemFiles Files { get; init; }
    public required int MaxClients { get; init; }
    /// <summary>Worker sockets the server opens (resolved: `workers N`, or one per CPU).</summary>
    public required int Workers { get; init; }
    public required int CpuCount { get; init; }
    /// <summary>The buffers each worker socket asks for (`rcvbuf`/`sndbuf`, or 4 MiB).</summary>
    public int ReceiveBufferBytes { get; init; } = KernelTargets.SocketBufferBytes;
    public int SendBufferBytes { get; init; } = KernelTargets.SocketBufferBytes;
    public required AesNiSupport AesNi { get; init; }
    /// <summary>The UDP port served, and the metrics port when `metrics` is set: kept out of the ephemeral range.</summary>
    public required IReadOnlyList<int> Ports { get; init; }

    /// <summary>This machine, for <paramref name="options"/> (the configured max-clients, workers, port, metrics).</summary>
    public static DoctorContext ForMachine(ServerOptions options, SystemFiles? files = null)
    {
        files ??= SystemFiles.Machine;
        int cpus = Math.Max(1, CpuAffinity.Allowed().Count);
        var cpuInfo = files.ReadText("/proc/cpuinfo")?.Split('\n') ?? [];
        return new DoctorContext
        {
            Files = files,
            MaxClients = options.MaxClients,
            Workers = options.Workers > 0 ? options.Workers : cpus,
            CpuCount = cpus,
            ReceiveBufferBytes = options.ReceiveBufferBytes ?? KernelTargets.SocketBufferBytes,
            SendBufferBytes = options.SendBufferBytes ?? KernelTargets.SocketBufferBytes,
            AesNi = AesNiSupport.Detect(cpuInfo),
            Ports = options.MetricsEndPoint is { } metrics ? [options.Port, metrics.Port] : [options.Port],
        };
    }
}
