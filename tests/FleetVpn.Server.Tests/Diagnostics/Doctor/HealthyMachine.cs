using FleetVpn.Platform.Cpu;
using FleetVpn.Server.Diagnostics.Doctor;

namespace FleetVpn.Server.Tests.Diagnostics.Doctor;

/// <summary>A fake tree where every check passes for 100,000 clients on 4 workers; tests spoil one value each.</summary>
internal static class HealthyMachine
{
    public const int MaxClients = 100_000;
    public const int Workers = 4;

    public static FakeSystemTree Create() => new FakeSystemTree()
        .Sysctl("fs.file-max", "9223372036854775807")
        .Write("/proc/self/limits", """
            Limit                     Soft Limit           Hard Limit           Units
            Max cpu time              unlimited            unlimited            seconds
            Max open files            1048576              1048576              files
            Max locked memory         8388608              8388608              bytes

            """)
        .Sysctl("net.core.rmem_max", "8388608")
        .Sysctl("net.core.wmem_max", "4194304")
        .Sysctl("net.ipv4.udp_mem", "1000000\t2000000\t4000000")
        .Sysctl("net.ipv4.udp_rmem_min", "16384")
        .Sysctl("net.ipv4.udp_wmem_min", "16384")
        .Sysctl("net.netfilter.nf_conntrack_max", "262144")
        .Sysctl("net.ipv4.ip_local_port_range", "32768\t60999")
        .Sysctl("net.ipv4.ip_local_reserved_ports", "")
        .Sysctl("kernel.osrelease", "6.1.0-18-amd64")
        .Write("/dev/net/tun", "")
        .Write("/proc/net/snmp", """
            Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
            Udp: 100 0 0 100 0 0 0 0 0

            """)
        .Write("/proc/net/snmp6", "Udp6InErrors 0\nUdp6RcvbufErrors 0\nUdp6SndbufErrors 0\n");

    public static DoctorContext Context(FakeSystemTree tree, int maxClients = MaxClients, int workers = Workers, int cpus = 8,
        AesNiSupport? aesNi = null, IReadOnlyList<int>? ports = null, int receiveBuffer = KernelTargets.SocketBufferBytes) => new()
    {
        Files = tree.Files,
        MaxClients = maxClients,
        Workers = workers,
        CpuCount = cpus,
        ReceiveBufferBytes = receiveBuffer,
        AesNi = aesNi ?? new AesNiSupport(IsX86: true, CpuInfoFlag: true, IntrinsicSupported: true, OpenSslCapabilityMask: null),
        Ports = ports ?? [1194],
    };
}
