using System.Net;
using System.Net.Sockets;
using FleetVpn.Platform.Sockets;
using FleetVpn.Platform.Threading;

namespace FleetVpn.Platform.Tests;

public sealed class EpollTests
{
    [Fact]
    public void An_eventfd_signal_from_another_thread_wakes_the_wait_once_until_drained()
    {
        using var epoll = new Epoll();
        using var wake = new EventFd();
        epoll.Add(wake.Fd, 42);
        Span<ulong> ready = stackalloc ulong[4];

        Assert.Equal(0, epoll.Wait(ready, 0));
        var signaller = new Thread(() => { wake.Signal(); wake.Signal(); });
        signaller.Start();
        signaller.Join();

        Assert.Equal(1, epoll.Wait(ready, 5000));
        Assert.Equal(42UL, ready[0]);
        wake.Drain();
        Assert.Equal(0, epoll.Wait(ready, 0));
    }

    [Fact]
    public void A_readable_port_reports_its_token()
    {
        using var epoll = new Epoll();
        using var port = UdpPort.Bind(IPAddress.Loopback, 0, 1 << 20, reusePort: true);
        epoll.Add(port.Fd, 7);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.SendTo(new byte[] { 1 }, port.LocalEndPoint);
        Span<ulong> ready = stackalloc ulong[4];

        Assert.Equal(1, epoll.Wait(ready, 5000));
        Assert.Equal(7UL, ready[0]);
    }

    [Fact]
    public void A_thread_can_be_pinned_to_a_cpu_the_process_may_use()
    {
        var allowed = CpuAffinity.Allowed();
        Assert.NotEmpty(allowed);
        int last = allowed[^1];
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try { CpuAffinity.PinCurrentThread(last); }
            catch (Exception e) { failure = e; }
        });
        thread.Start();
        thread.Join();
        Assert.Null(failure);
        Assert.Throws<ArgumentOutOfRangeException>(() => CpuAffinity.PinCurrentThread(-1));
    }
}
