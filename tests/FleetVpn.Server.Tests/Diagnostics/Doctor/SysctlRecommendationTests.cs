using FleetVpn.Server.Diagnostics.Doctor;

namespace FleetVpn.Server.Tests.Diagnostics.Doctor;

/// <summary>The sysctl.d file for a target: the values grow with the clients and workers, and never lower the machine's.</summary>
public sealed class SysctlRecommendationTests
{
    [Fact]
    public void For_100000_clients_on_an_untuned_machine()
    {
        using var tree = new FakeSystemTree();

        var text = SysctlRecommendation.Render(HealthyMachine.Context(tree, maxClients: 100_000, workers: 4, ports: [1194]));

        Assert.Equal("""
            # FleetVPN kernel settings for max-clients 100000 with 4 worker(s), written by 'fleetvpn doctor'.
            # Install as /etc/sysctl.d/99-fleetvpn.conf and apply with 'sysctl --system'.
            # FleetVPN keeps no descriptor per client (one UDP socket and tun queue per worker): the file limits do not grow with the fleet.
            # Each worker socket asks 4194304 bytes to receive and 4194304 to send (forced with CAP_NET_ADMIN; without it these caps apply).
            net.core.rmem_max = 4194304
            net.core.wmem_max = 4194304
            # UDP memory in pages (min pressure max): every worker's buffers full, as the kernel counts them.
            net.ipv4.udp_mem = 16384 32768 65536
            net.ipv4.udp_rmem_min = 16384
            net.ipv4.udp_wmem_min = 16384
            # Connection tracking, when loaded: one flow per client, twice for NAT rebinding ('-': skipped when the module is not loaded).
            -net.netfilter.nf_conntrack_max = 200000
            # The served ports stay out of the ephemeral range's reach.
            net.ipv4.ip_local_reserved_ports = 1194

            """.ReplaceLineEndings(Environment.NewLine), text);
    }

    [Fact]
    public void For_1000000_clients_on_16_workers_conntrack_and_udp_memory_grow()
    {
        using var tree = new FakeSystemTree();

        var text = SysctlRecommendation.Render(HealthyMachine.Context(tree, maxClients: 1_000_000, workers: 16, ports: [1194, 9469]));

        Assert.Contains("# FleetVPN kernel settings for max-clients 1000000 with 16 worker(s)", text);
        Assert.Contains($"{Environment.NewLine}-net.netfilter.nf_conntrack_max = 2000000{Environment.NewLine}", text);
        Assert.Contains($"{Environment.NewLine}net.ipv4.udp_mem = 65536 131072 262144{Environment.NewLine}", text);
        Assert.Contains($"{Environment.NewLine}net.ipv4.ip_local_reserved_ports = 1194,9469{Environment.NewLine}", text);
    }

    [Fact]
    public void Deploy_holds_the_file_for_1000000_clients_on_16_workers()
    {
        using var tree = new FakeSystemTree();
        var deployed = Path.Combine(Config.ConfigTestFiles.RepositoryRoot, "deploy", "99-fleetvpn.conf");

        var text = SysctlRecommendation.Render(HealthyMachine.Context(tree, maxClients: 1_000_000, workers: 16, ports: [1194, 9469]));

        Assert.Equal(text.ReplaceLineEndings("\n"), File.ReadAllText(deployed).ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Values_the_machine_already_exceeds_are_kept_and_reserved_ports_are_added_to()
    {
        using var tree = HealthyMachine.Create()
            .Sysctl("net.ipv4.ip_local_reserved_ports", "8080")
            .Sysctl("fs.file-max", "9223372036854775807");

        var text = SysctlRecommendation.Render(HealthyMachine.Context(tree, maxClients: 100_000, workers: 4));

        Assert.Contains("net.core.rmem_max = 8388608", text);
        Assert.Contains("net.ipv4.udp_mem = 1000000 2000000 4000000", text);
        Assert.Contains("-net.netfilter.nf_conntrack_max = 262144", text);
        Assert.Contains("net.ipv4.ip_local_reserved_ports = 8080,1194", text);
        Assert.DoesNotContain("fs.file-max", text);
    }

    [Fact]
    public void A_larger_rcvbuf_raises_rmem_max_and_the_udp_memory()
    {
        using var tree = new FakeSystemTree();

        var text = SysctlRecommendation.Render(HealthyMachine.Context(tree, workers: 4, receiveBuffer: 12 * 1024 * 1024));

        Assert.Contains($"{Environment.NewLine}net.core.rmem_max = 12582912{Environment.NewLine}", text);
        Assert.Contains($"{Environment.NewLine}net.core.wmem_max = 4194304{Environment.NewLine}", text);
        // 4 workers x 2 x (12 + 4) MiB = 128 MiB = 32768 pages.
        Assert.Contains($"{Environment.NewLine}net.ipv4.udp_mem = 32768 65536 131072{Environment.NewLine}", text);
    }

    [Fact]
    public void A_low_fs_file_max_is_raised()
    {
        using var tree = HealthyMachine.Create().Sysctl("fs.file-max", "100000");

        Assert.Contains("fs.file-max = 1048576", SysctlRecommendation.Render(HealthyMachine.Context(tree)));
    }
}
