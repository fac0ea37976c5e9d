using FleetVpn.Platform.Cpu;
using FleetVpn.Server.Diagnostics.Doctor;

namespace FleetVpn.Server.Tests.Diagnostics.Doctor;

/// <summary>Each doctor check against a fake /proc tree: OK on a tuned machine, WARN or FAIL with the value found when one setting is off.</summary>
public sealed class DoctorCheckTests
{
    [Fact]
    public void A_tuned_machine_passes_every_check_and_the_exit_code_is_0()
    {
        using var tree = HealthyMachine.Create();

        var findings = ServerDoctor.Run(HealthyMachine.Context(tree));

        Assert.All(findings, f => Assert.True(f.Status == DoctorStatus.Ok, f.ToString()));
        Assert.Equal(14, findings.Count);
        Assert.Equal(0, ServerDoctor.ExitCode(findings));
    }

    [Fact]
    public void A_low_open_file_limit_warns_and_one_below_what_the_server_needs_fails()
    {
        using var tree = HealthyMachine.Create();
        tree.Write("/proc/self/limits", "Max open files            1024                 4096                 files\n");
        Assert.Equal(DoctorStatus.Warn, Finding(tree, new FileLimitsCheck(), "open files (RLIMIT_NOFILE soft limit)").Status);

        tree.Write("/proc/self/limits", "Max open files            100                  4096                 files\n");
        var finding = Finding(tree, new FileLimitsCheck(), "open files (RLIMIT_NOFILE soft limit)");

        Assert.Equal(DoctorStatus.Fail, finding.Status);
        Assert.Equal("100", finding.Found);
        Assert.Contains("LimitNOFILE=65536", finding.Advice);
    }

    [Fact]
    public void Fs_file_max_below_the_recommendation_warns_and_unlimited_open_files_pass()
    {
        using var tree = HealthyMachine.Create().Sysctl("fs.file-max", "500000");
        tree.Write("/proc/self/limits", "Max open files            unlimited            unlimited            files\n");

        Assert.Equal(DoctorStatus.Warn, Finding(tree, new FileLimitsCheck(), "fs.file-max").Status);
        Assert.Equal(DoctorStatus.Ok, Finding(tree, new FileLimitsCheck(), "open files (RLIMIT_NOFILE soft limit)").Status);
    }

    [Fact]
    public void Socket_buffer_caps_below_4_MiB_warn()
    {
        using var tree = HealthyMachine.Create().Sysctl("net.core.rmem_max", "212992");

        var finding = Finding(tree, new SocketBufferCheck(), "net.core.rmem_max");

        Assert.Equal(DoctorStatus.Warn, finding.Status);
        Assert.Equal("212992", finding.Found);
        Assert.Equal(DoctorStatus.Ok, Finding(tree, new SocketBufferCheck(), "net.core.wmem_max").Status);
    }

    [Fact]
    public void A_configured_rcvbuf_is_what_rmem_max_is_held_against()
    {
        using var tree = HealthyMachine.Create(); // rmem_max 8 MiB
        var context = HealthyMachine.Context(tree, receiveBuffer: 16 * 1024 * 1024);

        var finding = new SocketBufferCheck().Run(context).Single(f => f.Name == "net.core.rmem_max");

        Assert.Equal(DoctorStatus.Warn, finding.Status);
        Assert.StartsWith("at least 16777216 ", finding.Wanted);
    }

    [Fact]
    public void Udp_memory_warns_below_the_recommendation_and_fails_when_the_full_buffers_cannot_fit()
    {
        // 4 workers: 4 x 2 buffers x 8 MiB as counted = 64 MiB = 16384 pages of 4 KiB.
        using var tree = HealthyMachine.Create().Sysctl("net.ipv4.udp_mem", "20000 30000 70000");
        Assert.Equal(DoctorStatus.Warn, Finding(tree, new UdpMemoryCheck(), "net.ipv4.udp_mem").Status);

        tree.Sysctl("net.ipv4.udp_mem", "1000 2000 4000");
        var finding = Finding(tree, new UdpMemoryCheck(), "net.ipv4.udp_mem");

        Assert.Equal(DoctorStatus.Fail, finding.Status);
        Assert.Equal("1000 2000 4000", finding.Found);
    }

    [Fact]
    public void Udp_minimum_buffers_below_16_KiB_warn()
    {
        using var tree = HealthyMachine.Create().Sysctl("net.ipv4.udp_wmem_min", "4096");

        Assert.Equal(DoctorStatus.Warn, Finding(tree, new UdpMemoryCheck(), "net.ipv4.udp_wmem_min").Status);
        Assert.Equal(DoctorStatus.Ok, Finding(tree, new UdpMemoryCheck(), "net.ipv4.udp_rmem_min").Status);
    }

    [Fact]
    public void Conntrack_fails_below_max_clients_warns_below_twice_and_passes_when_not_loaded()
    {
        using var tree = HealthyMachine.Create().Sysctl("net.netfilter.nf_conntrack_max", "65536");
        Assert.Equal(DoctorStatus.Fail, Finding(tree, new ConntrackCheck(), "net.netfilter.nf_conntrack_max").Status);

        tree.Sysctl("net.netfilter.nf_conntrack_max", "150000");
        Assert.Equal(DoctorStatus.Warn, Finding(tree, new ConntrackCheck(), "net.netfilter.nf_conntrack_max").Status);

        tree.Remove("/proc/sys/net/netfilter/nf_conntrack_max");
        var unloaded = Finding(tree, new ConntrackCheck(), "net.netfilter.nf_conntrack_max");
        Assert.Equal(DoctorStatus.Ok, unloaded.Status);
        Assert.Equal("connection tracking not loaded", unloaded.Found);
    }

    [Fact]
    public void A_served_port_in_the_ephemeral_range_warns_unless_reserved()
    {
        using var tree = HealthyMachine.Create().Sysctl("net.ipv4.ip_local_port_range", "1024 65000");
        var context = HealthyMachine.Context(tree, ports: [1194, 9469]);

        var exposed = new LocalPortRangeCheck().Run(context).Single();
        Assert.Equal(DoctorStatus.Warn, exposed.Status);
        Assert.Equal("1024-65000, holding port(s) 1194,9469", exposed.Found);

        tree.Sysctl("net.ipv4.ip_local_reserved_ports", "1194,9400-9500");
        Assert.Equal(DoctorStatus.Ok, new LocalPortRangeCheck().Run(context).Single().Status);
    }

    [Fact]
    public void No_tun_device_fails_and_an_old_kernel_fails_multi_queue_with_several_workers()
    {
        using var tree = HealthyMachine.Create().Sysctl("kernel.osrelease", "3.2.0-4-amd64");
        tree.Remove("/dev/net/tun");

        Assert.Equal(DoctorStatus.Fail, Finding(tree, new TunDeviceCheck(), "tun device").Status);
        Assert.Equal(DoctorStatus.Fail, Finding(tree, new TunDeviceCheck(), "multi-queue tun").Status);
        Assert.Equal(DoctorStatus.Warn, new TunDeviceCheck().Run(HealthyMachine.Context(tree, workers: 1)).Single(f => f.Name == "multi-queue tun").Status);
    }

    [Fact]
    public void More_workers_than_cpus_and_no_aes_ni_warn()
    {
        using var tree = HealthyMachine.Create();
        var context = HealthyMachine.Context(tree, workers: 16, cpus: 4,
            aesNi: new AesNiSupport(IsX86: true, CpuInfoFlag: false, IntrinsicSupported: false, OpenSslCapabilityMask: null));

        var findings = new CpuCheck().Run(context).ToList();

        Assert.Equal(DoctorStatus.Warn, findings.Single(f => f.Name == "CPUs").Status);
        Assert.Equal("4 CPU(s) for 16 worker(s)", findings.Single(f => f.Name == "CPUs").Found);
        Assert.Equal(DoctorStatus.Warn, findings.Single(f => f.Name == "AES-NI").Status);
    }

    [Fact]
    public void The_aes_flag_is_read_from_cpuinfo()
    {
        Assert.True(AesNiSupport.CpuInfoHasAesFlag(["processor\t: 0", "flags\t\t: fpu sse2 aes avx2"]));
        Assert.False(AesNiSupport.CpuInfoHasAesFlag(["processor\t: 0", "flags\t\t: fpu sse2 avx2 vaes-not"]));
    }

    [Fact]
    public void Udp_receive_errors_since_boot_warn_with_their_counts()
    {
        using var tree = HealthyMachine.Create().Write("/proc/net/snmp", """
            Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
            Udp: 100 0 12 100 10 1 0 0 0

            """);

        var finding = new UdpErrorsCheck().Run(HealthyMachine.Context(tree)).Single();

        Assert.Equal(DoctorStatus.Warn, finding.Status);
        Assert.Equal("InErrors 12, RcvbufErrors 10, SndbufErrors 1 since boot", finding.Found);
    }

    [Fact]
    public void A_failure_makes_the_exit_code_1_and_a_warning_alone_does_not()
    {
        using var tree = HealthyMachine.Create().Sysctl("net.core.rmem_max", "212992");
        Assert.Equal(0, ServerDoctor.ExitCode(ServerDoctor.Run(HealthyMachine.Context(tree))));

        tree.Remove("/dev/net/tun");
        Assert.Equal(1, ServerDoctor.ExitCode(ServerDoctor.Run(HealthyMachine.Context(tree))));
    }

    [Fact]
    public void Missing_files_read_as_unreadable_warnings_not_crashes()
    {
        using var tree = new FakeSystemTree();

        var findings = ServerDoctor.Run(HealthyMachine.Context(tree));

        Assert.Equal(DoctorStatus.Warn, findings.Single(f => f.Name == "net.core.rmem_max").Status);
        Assert.Equal("unreadable", findings.Single(f => f.Name == "fs.file-max").Found);
        Assert.Equal(DoctorStatus.Fail, findings.Single(f => f.Name == "tun device").Status);
    }

    [Fact]
    public void A_finding_prints_status_name_found_wanted_and_the_advice_when_not_ok()
    {
        var finding = new DoctorFinding("net.core.rmem_max", DoctorStatus.Warn, "212992", "at least 4194304", "net.core.rmem_max = 4194304");

        Assert.Equal("WARN  net.core.rmem_max: found 212992; wanted at least 4194304\n      net.core.rmem_max = 4194304", finding.ToString());
        Assert.Equal("OK    x: found 1; wanted 1", new DoctorFinding("x", DoctorStatus.Ok, "1", "1", "never shown").ToString());
    }

    private static DoctorFinding Finding(FakeSystemTree tree, IDoctorCheck check, string name) =>
        check.Run(HealthyMachine.Context(tree)).Single(f => f.Name == name);
}
