using System.Runtime.InteropServices;
using System.Text;
using FleetVpn.Platform.Native;

namespace FleetVpn.Platform.Tun;

/// <summary>
/// A Linux tun device (<c>/dev/net/tun</c>, IFF_TUN | IFF_NO_PI): each read returns one IP packet, each write
/// injects one. With several queues (IFF_MULTI_QUEUE) the device has one descriptor per queue: the kernel spreads
/// the packets it routes into the device over the queues by flow, so each worker thread reads its own queue.
/// Descriptors are non-blocking; <see cref="Read"/> waits with poll(2) so that it can be cancelled.
/// </summary>
public sealed unsafe class TunDevice : IDisposable
{
    private const nuint TunSetIff = 0x400454ca;
    private const short IffTun = 0x0001;
    private const short IffNoPi = 0x1000;
    private const short IffMultiQueue = 0x0100;
    private const int O_NONBLOCK = 0x800;
    private const int IfNameSize = 16;

    private readonly int[] _queues;
    private int _disposed;

    private TunDevice(int[] queues, string name)
    {
        _queues = queues;
        Name = name;
    }

    /// <summary>The kernel's name for the device (e.g. tun0).</summary>
    public string Name { get; }

    /// <summary>How many queues (descriptors) the device was opened with.</summary>
    public int QueueCount => _queues.Length;

    /// <summary>The descriptor of one queue, to watch with epoll.</summary>
    public int QueueFd(int queue) => _queues[queue];

    /// <summary>
    /// Creates (or attaches to) a tun device. "tun" lets the kernel pick tunN; "tun3" asks for that name.
    /// <paramref name="queues"/> above 1 opens a multi-queue device with that many descriptors.
    /// </summary>
    public static TunDevice Open(string requestedName, int queues = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(queues, 1);
        string pattern = requestedName == "tun" ? "tun%d" : requestedName;
        if (Encoding.ASCII.GetByteCount(pattern) >= IfNameSize) throw new ArgumentException($"device name too long: {requestedName}");
        short flags = (short)(IffTun | IffNoPi | (queues > 1 ? IffMultiQueue : 0));
        var fds = new List<int>(queues);
        try
        {
            // The first queue creates the device (and resolves tun%d); the others attach to it by its name.
            string name = pattern;
            for (int i = 0; i < queues; i++) name = Attach(name, flags, fds, requestedName);
            return new TunDevice([.. fds], name);
        }
        catch
        {
            foreach (int fd in fds) LibC.Close(fd);
            throw;
        }
    }

    private static string Attach(string name, short flags, List<int> fds, string requestedName)
    {
        int fd = LibC.Open("/dev/net/tun", LibC.O_RDWR | LibC.O_CLOEXEC | O_NONBLOCK);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException($"cannot open /dev/net/tun: {LibC.ErrorText(errno)} (errno {errno}); FleetVPN needs root or CAP_NET_ADMIN");
        }
        fds.Add(fd);
        // struct ifreq: char ifr_name[16]; short ifr_flags; ... (40 bytes in all)
        byte* ifr = stackalloc byte[40];
        new Span<byte>(ifr, 40).Clear();
        Encoding.ASCII.GetBytes(name).CopyTo(new Span<byte>(ifr, IfNameSize));
        *(short*)(ifr + IfNameSize) = flags;
        if (LibC.Ioctl(fd, TunSetIff, ifr) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            string hint = errno == 22 && fds.Count == 1 ? " (is a device of that name open without multi-queue, e.g. by another program?)" : "";
            throw new IOException($"TUNSETIFF {requestedName} queue {fds.Count - 1}: {LibC.ErrorText(errno)} (errno {errno}){hint}");
        }
        var resolved = new Span<byte>(ifr, IfNameSize);
        int end = resolved.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? resolved : resolved[..end]);
    }

    /// <summary>
    /// Reads one packet from queue 0; returns its length, or 0 when none arrived within <paramref name="timeoutMs"/>.
    /// Throws only for real device errors.
    /// </summary>
    public int Read(Span<byte> buffer, int timeoutMs)
    {
        var pfd = new LibC.PollFd { Fd = _queues[0], Events = LibC.POLLIN };
        int ready = LibC.Poll(&pfd, 1, timeoutMs);
        if (ready <= 0) return 0;
        return TryRead(0, buffer);
    }

    /// <summary>Reads one packet from <paramref name="queue"/> without waiting; 0 when none is there.</summary>
    public int TryRead(int queue, Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            nint n = LibC.Read(_queues[queue], p, (nuint)buffer.Length);
            if (n >= 0) return (int)n;
            int errno = Marshal.GetLastPInvokeError();
            if (errno is LibC.EINTR or LibC.EAGAIN) return 0;
            throw new IOException($"read {Name} queue {queue}: {LibC.ErrorText(errno)}");
        }
    }

    /// <summary>Writes one IP packet into queue 0; false if the kernel refused it (the packet is dropped, as a router would).</summary>
    public bool Write(ReadOnlySpan<byte> packet) => Write(0, packet);

    /// <summary>Writes one IP packet into <paramref name="queue"/> (each worker writes into its own).</summary>
    public bool Write(int queue, ReadOnlySpan<byte> packet)
    {
        fixed (byte* p = packet)
            return LibC.Write(_queues[queue], p, (nuint)packet.Length) == packet.Length;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        foreach (int fd in _queues) LibC.Close(fd);
    }
}
