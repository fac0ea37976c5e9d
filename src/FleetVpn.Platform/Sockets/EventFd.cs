using FleetVpn.Platform.Native;
using static FleetVpn.Platform.Native.SocketCalls;

namespace FleetVpn.Platform.Sockets;

/// <summary>
/// A Linux eventfd: lets one thread wake another that waits in <see cref="Epoll"/> (work was queued for it).
/// Signals coalesce: many <see cref="Signal"/> calls before a <see cref="Drain"/> wake the waiter once.
/// </summary>
public sealed unsafe class EventFd : IDisposable
{
    private int _fd;

    public EventFd()
    {
        _fd = SocketCalls.EventFd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (_fd < 0) throw PlatformErrors.Last("eventfd");
    }

    public int Fd => _fd;

    /// <summary>Makes the descriptor readable until the next <see cref="Drain"/>. Any thread.</summary>
    public void Signal()
    {
        ulong one = 1;
        LibC.Write(_fd, (byte*)&one, sizeof(ulong));
    }

    /// <summary>Resets it (the waiting thread, before it takes the queued work).</summary>
    public void Drain()
    {
        ulong value;
        LibC.Read(_fd, (byte*)&value, sizeof(ulong));
    }

    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0) LibC.Close(fd);
    }
}
