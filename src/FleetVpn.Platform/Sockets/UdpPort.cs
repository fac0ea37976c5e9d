using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using FleetVpn.Platform.Native;
using static FleetVpn.Platform.Native.SocketCalls;

namespace FleetVpn.Platform.Sockets;

/// <summary>
/// The server's UDP socket as a bare non-blocking descriptor: IPv4, or IPv6 taking IPv4 too (mapped addresses);
/// with SO_REUSEPORT so that one per worker can share the port and the kernel spreads the clients over them
/// (by a hash of each client's address and port, so a client's datagrams always reach the same worker).
/// Addresses are <see cref="SocketAddress"/> values whose buffer is the kernel's sockaddr, as received.
/// </summary>
public sealed unsafe class UdpPort : IDisposable
{
    private int _fd;

    private UdpPort(int fd, AddressFamily family, IPEndPoint local)
    {
        _fd = fd;
        AddressFamily = family;
        LocalEndPoint = local;
    }

    public int Fd => _fd;
    public AddressFamily AddressFamily { get; }
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>The receive buffer the kernel actually gave (bytes, as SO_RCVBUF reports it: twice the asked size).</summary>
    public int ReceiveBufferBytes => GetInt(SO_RCVBUF);

    /// <summary>The send buffer the kernel actually gave (SO_SNDBUF: twice the asked size).</summary>
    public int SendBufferBytes => GetInt(SO_SNDBUF);

    /// <summary>
    /// Binds <paramref name="local"/>:<paramref name="port"/> (port 0: one the kernel picks, see <see cref="LocalEndPoint"/>).
    /// <paramref name="bufferBytes"/> is asked for both socket buffers, past net.core.rmem_max/wmem_max when the process
    /// may (CAP_NET_ADMIN), else as far as those allow.
    /// </summary>
    public static UdpPort Bind(IPAddress local, int port, int bufferBytes, bool reusePort) =>
        Bind(local, port, bufferBytes, bufferBytes, reusePort);

    /// <summary>As <see cref="Bind(IPAddress, int, int, bool)"/>, with a receive and a send buffer of their own sizes.</summary>
    public static UdpPort Bind(IPAddress local, int port, int receiveBufferBytes, int sendBufferBytes, bool reusePort)
    {
        bool v6 = local.AddressFamily == AddressFamily.InterNetworkV6;
        int fd = Socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) throw PlatformErrors.Last("socket");
        try
        {
            int on = 1, off = 0;
            if (reusePort && SetSockOpt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(int)) != 0) throw PlatformErrors.Last("setsockopt SO_REUSEPORT");
            if (v6 && SetSockOpt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(int)) != 0) throw PlatformErrors.Last("setsockopt IPV6_V6ONLY");
            SetBuffer(fd, SO_RCVBUFFORCE, SO_RCVBUF, receiveBufferBytes);
            SetBuffer(fd, SO_SNDBUFFORCE, SO_SNDBUF, sendBufferBytes);
            var address = new IPEndPoint(local, port).Serialize();
            fixed (byte* a = address.Buffer.Span)
                if (SocketCalls.Bind(fd, a, (uint)address.Size) != 0) throw PlatformErrors.Last($"bind {new IPEndPoint(local, port)}");
            return new UdpPort(fd, local.AddressFamily, LocalAddress(fd, local.AddressFamily));
        }
        catch
        {
            SocketCalls.Close(fd);
            throw;
        }
    }

    /// <summary>Sends one datagram; false when the kernel refused it (send buffer full, no route): the packet is lost, as on a wire.</summary>
    public bool SendTo(ReadOnlySpan<byte> datagram, SocketAddress to)
    {
        fixed (byte* data = datagram)
        fixed (byte* address = to.Buffer.Span)
            return SocketCalls.SendTo(_fd, data, (nuint)datagram.Length, MSG_DONTWAIT, address, (uint)to.Size) == datagram.Length;
    }

    /// <summary>Sends one datagram to <paramref name="to"/>; false when the kernel refused it.</summary>
    public bool SendTo(ReadOnlySpan<byte> datagram, in PeerAddress to)
    {
        Span<byte> sockaddr = stackalloc byte[to.SockaddrSize];
        to.WriteTo(sockaddr);
        fixed (byte* data = datagram)
        fixed (byte* address = sockaddr)
            return SocketCalls.SendTo(_fd, data, (nuint)datagram.Length, MSG_DONTWAIT, address, (uint)sockaddr.Length) == datagram.Length;
    }

    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0) SocketCalls.Close(fd);
    }

    private static void SetBuffer(int fd, int forced, int normal, int bytes)
    {
        // The forced option ignores the sysctl cap but needs CAP_NET_ADMIN; without it the capped one still helps.
        if (SetSockOpt(fd, SOL_SOCKET, forced, &bytes, sizeof(int)) != 0) SetSockOpt(fd, SOL_SOCKET, normal, &bytes, sizeof(int));
    }

    private int GetInt(int option)
    {
        int value;
        uint length = sizeof(int);
        return GetSockOpt(_fd, SOL_SOCKET, option, &value, &length) == 0 ? value : 0;
    }

    private static IPEndPoint LocalAddress(int fd, AddressFamily family)
    {
        var address = new SocketAddress(family);
        uint length = (uint)address.Size;
        fixed (byte* a = address.Buffer.Span)
            if (GetSockName(fd, a, &length) != 0) throw PlatformErrors.Last("getsockname");
        var any = family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
        return (IPEndPoint)new IPEndPoint(any, 0).Create(address);
    }
}
