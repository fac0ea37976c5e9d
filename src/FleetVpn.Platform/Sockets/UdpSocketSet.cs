using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using FleetVpn.Platform.Native;
using static FleetVpn.Platform.Native.SocketCalls;

namespace FleetVpn.Platform.Sockets;

/// <summary>
/// Many connected, non-blocking IPv4 UDP sockets watched by one epoll instance and drained by one thread into one
/// shared buffer. A socket here is just a file descriptor: no <see cref="Socket"/> object, no pending receive and no
/// buffer per socket, which is what lets one process hold a hundred thousand of them (the fleet simulator).
/// <para>
/// Two kinds of socket: a connected socket per peer (<see cref="Open"/>), or a shared socket bound to any address
/// (<see cref="OpenShared"/>) that sends from a chosen local address (<see cref="SendFrom"/>, IP_PKTINFO) and tells,
/// for each datagram, the local address it was sent to: many peers on one port, told apart by their address,
/// with no kernel socket each.
/// </para>
/// Open, Send and Close may be called from any thread; <see cref="Run"/> from one.
/// </summary>
public sealed unsafe class UdpSocketSet : IDisposable
{
    /// <summary>Called on the <see cref="Run"/> thread for every datagram; the span is valid only during the call.</summary>
    /// <paramref name="localAddress"/> is the datagram's destination (host byte order) on a shared socket, 0 on a connected one.
    public delegate void DatagramHandler(uint owner, int fd, uint localAddress, ReadOnlySpan<byte> datagram);

    /// <summary>Owners are 31-bit; the top bit of an epoll token marks a shared socket.</summary>
    public const uint MaxOwner = int.MaxValue;
    private const ulong SharedFlag = 1UL << 63;

    private const int MaxEvents = 256;
    private const int MaxDatagramsPerWakeup = 16;
    private static readonly bool PackedEvents = RuntimeInformation.ProcessArchitecture == Architecture.X64;
    private readonly int _epoll;
    private int _disposed;

    public UdpSocketSet()
    {
        _epoll = EpollCreate1(EPOLL_CLOEXEC);
        if (_epoll < 0) throw Failure("epoll_create1");
    }

    /// <summary>Datagrams dropped because the kernel said the peer's port is closed (ICMP port unreachable).</summary>
    public long PortUnreachable => Interlocked.Read(ref _portUnreachable);
    private long _portUnreachable;

    /// <summary>
    /// Opens a UDP socket bound to <paramref name="source"/> (any address when null) on an ephemeral port, connects it to
    /// <paramref name="remote"/> and watches it; <paramref name="owner"/> and the descriptor come back with each of its datagrams.
    /// Returns the file descriptor; throws <see cref="IOException"/> with the system's reason.
    /// </summary>
    public int Open(IPAddress? source, IPEndPoint remote, uint owner)
    {
        if (remote.AddressFamily != AddressFamily.InterNetwork) throw new ArgumentException("IPv4 remote expected", nameof(remote));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(owner, MaxOwner);
        int fd = Socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) throw Failure("socket");
        try
        {
            if (source is not null)
            {
                var local = ToSockAddr(new IPEndPoint(source, 0));
                if (Bind(fd, &local, (uint)sizeof(SockAddrIn)) != 0) throw Failure($"bind {source}");
            }
            var peer = ToSockAddr(remote);
            if (Connect(fd, &peer, (uint)sizeof(SockAddrIn)) != 0) throw Failure($"connect {remote}");
            Watch(fd, (ulong)owner << 32 | (uint)fd);
            return fd;
        }
        catch
        {
            SocketCalls.Close(fd);
            throw;
        }
    }

    /// <summary>
    /// Opens an unconnected UDP socket bound to any address on an ephemeral port, with IP_PKTINFO on, and watches it;
    /// its datagrams come back with <paramref name="owner"/> and the local address each was sent to.
    /// </summary>
    public int OpenShared(uint owner)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(owner, MaxOwner);
        int fd = Socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) throw Failure("socket");
        try
        {
            int on = 1;
            if (SetSockOpt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(int)) != 0) throw Failure("setsockopt IP_PKTINFO");
            var any = ToSockAddr(new IPEndPoint(IPAddress.Any, 0));
            if (Bind(fd, &any, (uint)sizeof(SockAddrIn)) != 0) throw Failure("bind 0.0.0.0");
            Watch(fd, SharedFlag | (ulong)owner << 32 | (uint)fd);
            return fd;
        }
        catch
        {
            SocketCalls.Close(fd);
            throw;
        }
    }

    private void Watch(int fd, ulong token)
    {
        int rc;
        if (PackedEvents)
        {
            var ev = new EpollEventPacked { Events = EPOLLIN, Data = token };
            rc = EpollCtl(_epoll, EPOLL_CTL_ADD, fd, &ev);
        }
        else
        {
            var ev = new EpollEventAligned { Events = EPOLLIN, Data = token };
            rc = EpollCtl(_epoll, EPOLL_CTL_ADD, fd, &ev);
        }
        if (rc != 0) throw Failure("epoll_ctl");
    }

    /// <summary>
    /// Sends one datagram on a shared socket to <paramref name="remote"/> from the local address
    /// <paramref name="source"/> (host byte order; it must be an address of this host, any 127/8 address is);
    /// false when the kernel refused it.
    /// </summary>
    public static bool SendFrom(int fd, IPEndPoint remote, uint source, ReadOnlySpan<byte> datagram)
    {
        var peer = ToSockAddr(remote);
        byte* control = stackalloc byte[PktInfoCmsgSpace];
        new Span<byte>(control, PktInfoCmsgSpace).Clear();
        var header = (CmsgHdr*)control;
        header->Length = PktInfoCmsgLength;
        header->Level = IPPROTO_IP;
        header->Type = IP_PKTINFO;
        ((InPktInfo*)(control + 16))->SpecificDestinationNetworkOrder = BinaryPrimitives.ReverseEndianness(source);
        fixed (byte* p = datagram)
        {
            var iov = new IoVec { Base = p, Length = (nuint)datagram.Length };
            var message = new MsgHdr
            {
                Name = &peer, NameLength = (uint)sizeof(SockAddrIn), Iov = &iov, IovLength = 1,
                Control = control, ControlLength = PktInfoCmsgSpace,
            };
            return SendMsg(fd, &message, MSG_DONTWAIT) == datagram.Length;
        }
    }

    /// <summary>The local port the kernel chose for <paramref name="fd"/> (0 when it cannot tell).</summary>
    public static int LocalPort(int fd)
    {
        SockAddrIn address;
        uint length = (uint)sizeof(SockAddrIn);
        return GetSockName(fd, &address, &length) == 0 ? BinaryPrimitives.ReverseEndianness(address.PortNetworkOrder) : 0;
    }

    /// <summary>Sends one datagram on a connected socket; false when the kernel refused it (buffer full, port unreachable).</summary>
    public static bool Send(int fd, ReadOnlySpan<byte> datagram)
    {
        fixed (byte* p = datagram)
            return SocketCalls.Send(fd, p, (nuint)datagram.Length, MSG_DONTWAIT) == datagram.Length;
    }

    /// <summary>Closes a socket; closing also removes it from the epoll set.</summary>
    public static void Close(int fd) => SocketCalls.Close(fd);

    /// <summary>
    /// Waits for datagrams and hands each to <paramref name="handler"/> until <paramref name="cancellation"/> fires
    /// (checked at least every 100 ms). At most 16 datagrams are read from one socket per wake-up, so one busy socket
    /// cannot starve the others.
    /// </summary>
    public void Run(DatagramHandler handler, CancellationToken cancellation)
    {
        int eventSize = PackedEvents ? sizeof(EpollEventPacked) : sizeof(EpollEventAligned);
        byte* events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * eventSize));
        var buffer = new byte[65536];
        byte* control = stackalloc byte[128];
        try
        {
            fixed (byte* data = buffer)
            {
                var iov = new IoVec { Base = data, Length = (nuint)buffer.Length };
                while (!cancellation.IsCancellationRequested)
                {
                    int n = EpollWait(_epoll, events, MaxEvents, 100);
                    if (n < 0)
                    {
                        if (Marshal.GetLastPInvokeError() == EINTR) continue;
                        if (Volatile.Read(ref _disposed) != 0) return;
                        throw Failure("epoll_wait");
                    }
                    for (int i = 0; i < n; i++)
                    {
                        ulong token = PackedEvents ? ((EpollEventPacked*)events)[i].Data : ((EpollEventAligned*)events)[i].Data;
                        int fd = (int)(token & 0xFFFF_FFFF);
                        uint owner = (uint)(token >> 32) & MaxOwner;
                        bool shared = (token & SharedFlag) != 0;
                        for (int k = 0; k < MaxDatagramsPerWakeup; k++)
                        {
                            uint local = 0;
                            nint length;
                            if (shared)
                            {
                                var message = new MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = 128 };
                                length = RecvMsg(fd, &message, MSG_DONTWAIT);
                                if (length >= 0) local = DestinationOf(&message);
                            }
                            else
                            {
                                length = Recv(fd, data, (nuint)buffer.Length, MSG_DONTWAIT);
                            }
                            if (length < 0)
                            {
                                if (Marshal.GetLastPInvokeError() == ECONNREFUSED)
                                {
                                    Interlocked.Increment(ref _portUnreachable);
                                    continue;
                                }
                                break; // EAGAIN (drained), or the socket was closed meanwhile
                            }
                            handler(owner, fd, local, new ReadOnlySpan<byte>(data, (int)length));
                        }
                    }
                }
            }
        }
        finally
        {
            NativeMemory.Free(events);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) SocketCalls.Close(_epoll);
    }

    /// <summary>The IP_PKTINFO destination address of a received message (host byte order), 0 when absent.</summary>
    private static uint DestinationOf(MsgHdr* message)
    {
        byte* at = (byte*)message->Control;
        byte* end = at + message->ControlLength;
        while (at + sizeof(CmsgHdr) <= end)
        {
            var header = (CmsgHdr*)at;
            if (header->Length < (nuint)sizeof(CmsgHdr)) break;
            if (header->Level == IPPROTO_IP && header->Type == IP_PKTINFO && header->Length >= PktInfoCmsgLength)
                return BinaryPrimitives.ReverseEndianness(((InPktInfo*)(at + 16))->AddressNetworkOrder);
            at += (header->Length + 7) & ~(nuint)7;
        }
        return 0;
    }

    private static SockAddrIn ToSockAddr(IPEndPoint endpoint)
    {
        Span<byte> address = stackalloc byte[4];
        endpoint.Address.TryWriteBytes(address, out _);
        return new SockAddrIn
        {
            Family = AF_INET,
            PortNetworkOrder = BinaryPrimitives.ReverseEndianness((ushort)endpoint.Port),
            AddressNetworkOrder = MemoryMarshal.Read<uint>(address),
        };
    }

    private static IOException Failure(string call)
    {
        int errno = Marshal.GetLastPInvokeError();
        return new IOException($"{call}: {LibC.ErrorText(errno)}", errno);
    }
}
