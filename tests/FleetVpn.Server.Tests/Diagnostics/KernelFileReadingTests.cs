using FleetVpn.Server.Diagnostics;

namespace FleetVpn.Server.Tests.Diagnostics;

/// <summary>The kernel files read on a scrape and by the doctor, parsed from texts laid out as the kernel writes them.</summary>
public sealed class KernelFileReadingTests
{
    [Fact]
    public void Udp_counters_come_from_the_Udp_lines_of_snmp_not_UdpLite()
    {
        using var tree = new FakeSystemTree().Write("/proc/net/snmp", """
            Ip: Forwarding DefaultTTL
            Ip: 1 64
            Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
            Udp: 1678 0 12 1734 7 3 0 0 0
            UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
            UdpLite: 99 99 99 99 99 99 99 99 99

            """);

        Assert.Equal(new KernelUdpCounters(1678, 12, 7, 3), KernelUdpCounters.ReadIPv4(tree.Files));
    }

    [Fact]
    public void Udp6_counters_come_from_snmp6()
    {
        using var tree = new FakeSystemTree().Write("/proc/net/snmp6", """
            Ip6InReceives                   	5
            Udp6InDatagrams                 	40
            Udp6NoPorts                     	0
            Udp6InErrors                    	2
            Udp6RcvbufErrors                	1
            Udp6SndbufErrors                	4
            UdpLite6InErrors                	9

            """);

        Assert.Equal(new KernelUdpCounters(40, 2, 1, 4), KernelUdpCounters.ReadIPv6(tree.Files));
    }

    [Fact]
    public void Missing_files_read_as_null()
    {
        using var tree = new FakeSystemTree();

        Assert.Null(KernelUdpCounters.ReadIPv4(tree.Files));
        Assert.Null(KernelUdpCounters.ReadIPv6(tree.Files));
        Assert.Null(InterfaceTraffic.Read(tree.Files, "tun0"));
        Assert.Empty(UdpSocketQueues.ReadAll(tree.Files));
    }

    [Fact]
    public void Socket_queues_are_found_by_inode_in_udp_and_udp6()
    {
        using var tree = new FakeSystemTree()
            .Write("/proc/net/udp", """
                   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
                  12: 0100007F:04AA 00000000:0000 07 00000000:00000A00 00:00000000 00000000     0        0 4242 2 0000000000000000 17

                """)
            .Write("/proc/net/udp6", """
                  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
                   3: 00000000000000000000000000000000:04AA 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 5151 2 0000000000000000 0

                """);

        var sockets = UdpSocketQueues.ReadAll(tree.Files);

        Assert.Equal(new UdpSocketQueues(0xA00, 17), sockets[4242]);
        Assert.Equal(new UdpSocketQueues(0, 0), sockets[5151]);
    }

    [Fact]
    public void A_socket_of_this_process_has_an_inode()
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);

        Assert.NotNull(UdpSocketQueues.InodeOf((int)socket.Handle));
        Assert.Null(UdpSocketQueues.InodeOf(int.MaxValue));
    }

    [Fact]
    public void Interface_traffic_is_the_named_line_of_net_dev()
    {
        using var tree = new FakeSystemTree().Write("/proc/net/dev", """
            Inter-|   Receive                                                |  Transmit
             face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
                lo: 73019717   25985    0    0    0     0          0         0 73019717   25985    0    0    0     0       0          0
              tun0:     8400     100    0    0    0     0          0         0     4200      50    0    0    0     0       0          0
             tun01:        1       1    0    0    0     0          0         0        1       1    0    0    0     0       0          0

            """);

        Assert.Equal(new InterfaceTraffic(8400, 100, 4200, 50), InterfaceTraffic.Read(tree.Files, "tun0"));
        Assert.Null(InterfaceTraffic.Read(tree.Files, "tun9"));
    }

    [Fact]
    public void Sysctl_numbers_split_on_whitespace_and_non_numbers_read_as_null()
    {
        using var tree = new FakeSystemTree().Sysctl("net.ipv4.udp_mem", "190254\t253674\t380508").Sysctl("net.core.rmem_max", "abc");

        Assert.Equal(new long[] { 190254, 253674, 380508 }, tree.Files.SysctlNumbers("net.ipv4.udp_mem"));
        Assert.Null(tree.Files.SysctlNumbers("net.core.rmem_max"));
        Assert.Null(tree.Files.SysctlNumbers("net.core.wmem_max"));
    }
}
