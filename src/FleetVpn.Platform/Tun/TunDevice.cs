using System.Runtime.InteropServices;
using System.Text;
using FleetVpn.Platform.Native;

namespace FleetVpn.Platform.Tun;

/// <summary>
/// A Linux tun device (<c>/dev/net/tun</c>, IFF_TUN | IFF_NO_PI): each read returns one IP packet,
/// each write injects one. Reads wait with poll(2) so that <see cref="Read"/> can be cancelled.
/// </summary>
public sealed unsafe class TunDevice : IDisposable
{
    private const nuint TunSetIff = 0x400454ca;
    private const short IffTun = 0x0001;
    private const short IffNoPi = 0x1000;
    private const int IfNameSize = 16;

    private int _fd;

    private TunDevice(int fd, string name)
    {
        _fd = fd;
        Name = name;
    }

    /// <summary>The kernel's name for the device (e.g. tun0).</summary>
    public string Name { get; }

    /// <summary>Creates (or attaches to) a tun device. "tun" lets the kernel pick tunN; "tun3" asks for that name.</summary>
    public static TunDevice Open(string requestedName)
    {
        int fd = LibC.Open("/dev/net/tun", LibC.O_RDWR | LibC.O_CLOEXEC);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException($"cannot open /dev/net/tun: {LibC.ErrorText(errno)} (errno {errno}); FleetVPN needs root or CAP_NET_ADMIN");
        }
        // struct ifreq: char ifr_name[16]; short ifr_flags; ... (40 bytes in all)
        byte* ifr = stackalloc byte[40];
        new Span<byte>(ifr, 40).Clear();
        string pattern = requestedName == "tun" ? "tun%d" : requestedName;
        var nameBytes = Encoding.ASCII.GetBytes(pattern);
        if (nameBytes.Length >= IfNameSize) throw new ArgumentException($"device name too long: {requestedName}");
        nameBytes.CopyTo(new Span<byte>(ifr, IfNameSize));
        *(short*)(ifr + IfNameSize) = IffTun | IffNoPi;
        if (LibC.Ioctl(fd, TunSetIff, ifr) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            LibC.Close(fd);
            throw new IOException($"TUNSETIFF {requestedName}: {LibC.ErrorText(errno)} (errno {errno})");
        }
        var name = new Span<byte>(ifr, IfNameSize);
        int end = name.IndexOf((byte)0);
        return new TunDevice(fd, Encoding.ASCII.GetString(end < 0 ? name : name[..end]));
    }

    /// <summary>
    /// Reads one packet; returns its length, or 0 when none arrived within <paramref name="timeoutMs"/>.
    /// Throws only for real device errors.
    /// </summary>
    public int Read(Span<byte> buffer, int timeoutMs)
    {
        var pfd = new LibC.PollFd { Fd = _fd, Events = LibC.POLLIN };
        int ready = LibC.Poll(&pfd, 1, timeoutMs);
        if (ready <= 0) return 0;
        fixed (byte* p = buffer)
        {
            nint n = LibC.Read(_fd, p, (nuint)buffer.Length);
            if (n >= 0) return (int)n;
            int errno = Marshal.GetLastPInvokeError();
            if (errno is LibC.EINTR or LibC.EAGAIN) return 0;
            throw new IOException($"read {Name}: {LibC.ErrorText(errno)}");
        }
    }

    /// <summary>Writes one IP packet; false if the kernel refused it (the packet is dropped, as a router would).</summary>
    public bool Write(ReadOnlySpan<byte> packet)
    {
        fixed (byte* p = packet)
            return LibC.Write(_fd, p, (nuint)packet.Length) == packet.Length;
    }

    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0) LibC.Close(fd);
    }
}
