using System.Net;
using System.Net.Sockets;
using FleetVpn.Platform.Sockets;

namespace FleetVpn.Platform.Tests;

/// <summary>The server's sockets and batches, over loopback only.</summary>
public sealed class UdpPortTests
{
    [Fact]
    public void Two_ports_share_one_udp_port_with_reuseport()
    {
        using var first = UdpPort.Bind(IPAddress.Loopback, 0, 1 << 20, reusePort: true);
        using var second = UdpPort.Bind(IPAddress.Loopback, first.LocalEndPoint.Port, 1 << 20, reusePort: true);

        Assert.NotEqual(0, first.LocalEndPoint.Port);
        Assert.Equal(first.LocalEndPoint.Port, second.LocalEndPoint.Port);
        Assert.True(first.ReceiveBufferBytes > 0);
    }

    [Fact]
    public void Without_reuseport_a_second_bind_is_refused_with_the_reason()
    {
        using var first = UdpPort.Bind(IPAddress.Loopback, 0, 1 << 20, reusePort: false);
        var error = Assert.Throws<IOException>(() => UdpPort.Bind(IPAddress.Loopback, first.LocalEndPoint.Port, 1 << 20, reusePort: false));
        Assert.Contains("bind 127.0.0.1:", error.Message);
    }

    [Fact]
    public void Receive_and_send_buffers_take_their_own_sizes()
    {
        // Below any net.core.rmem_max/wmem_max, so the sizes hold with or without CAP_NET_ADMIN; the kernel reports twice the size asked.
        using var port = UdpPort.Bind(IPAddress.Loopback, 0, receiveBufferBytes: 64 * 1024, sendBufferBytes: 32 * 1024, reusePort: true);

        Assert.Equal(2 * 64 * 1024, port.ReceiveBufferBytes);
        Assert.Equal(2 * 32 * 1024, port.SendBufferBytes);
    }

    [Fact]
    public void A_batch_receives_every_datagram_with_its_source_and_a_send_batch_answers_each()
    {
        using var port = UdpPort.Bind(IPAddress.Loopback, 0, 1 << 20, reusePort: true);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        for (int i = 0; i < 100; i++) client.SendTo(new byte[] { (byte)i, 1, 2, 3 }, port.LocalEndPoint);

        using var receive = new ReceiveBatch(32, 2048);
        using var send = new SendBatch(port, 16, 2048);
        var from = new SocketAddress(AddressFamily.InterNetwork);
        var seen = new List<int>();
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (seen.Count < 100 && DateTime.UtcNow < deadline)
        {
            int n = receive.Receive(port);
            Assert.InRange(n, 0, 32);
            for (int i = 0; i < n; i++)
            {
                Assert.False(receive.Truncated(i));
                Assert.Equal(4, receive.Datagram(i).Length);
                receive.CopySource(i, from);
                Assert.Equal(client.LocalEndPoint, new IPEndPoint(IPAddress.Any, 0).Create(from));
                seen.Add(receive.Datagram(i)[0]);
                send.Add(receive.Datagram(i), from); // flushes itself every 16
            }
        }
        send.Flush();
        Assert.Equal(Enumerable.Range(0, 100), seen);

        var buffer = new byte[16];
        client.ReceiveTimeout = 5000;
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(4, client.Receive(buffer));
            Assert.Equal(i, buffer[0]);
        }
        Assert.Equal(0, send.Dropped);
    }

    [Fact]
    public void A_datagram_larger_than_a_batch_buffer_is_marked_truncated()
    {
        using var port = UdpPort.Bind(IPAddress.Loopback, 0, 1 << 20, reusePort: true);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.SendTo(new byte[3000], port.LocalEndPoint);
        using var receive = new ReceiveBatch(4, 2048);

        int n = 0;
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (n == 0 && DateTime.UtcNow < deadline) n = receive.Receive(port);

        Assert.Equal(1, n);
        Assert.True(receive.Truncated(0));
    }

    [Fact]
    public void A_dual_stack_port_reports_an_ipv4_client_as_a_mapped_address()
    {
        using var port = UdpPort.Bind(IPAddress.IPv6Any, 0, 1 << 20, reusePort: true);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        client.SendTo(new byte[] { 7 }, new IPEndPoint(IPAddress.Loopback, port.LocalEndPoint.Port));
        using var receive = new ReceiveBatch(4, 2048);

        int n = 0;
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (n == 0 && DateTime.UtcNow < deadline) n = receive.Receive(port);
        var from = new SocketAddress(AddressFamily.InterNetworkV6);
        receive.CopySource(0, from);
        var endPoint = (IPEndPoint)new IPEndPoint(IPAddress.IPv6Any, 0).Create(from);

        Assert.Equal(1, n);
        Assert.True(endPoint.Address.IsIPv4MappedToIPv6);
        Assert.Equal(((IPEndPoint)client.LocalEndPoint!).Port, endPoint.Port);
        Assert.True(port.SendTo(new byte[] { 9 }, from));
        var buffer = new byte[4];
        client.ReceiveTimeout = 5000;
        Assert.Equal(1, client.Receive(buffer));
        Assert.Equal(9, buffer[0]);
    }
}
