using System.Runtime.InteropServices;
using FleetVpn.Platform.Native;
using static FleetVpn.Platform.Native.SocketCalls;

namespace FleetVpn.Platform.Sockets;

/// <summary>
/// An epoll instance: file descriptors registered with a 64-bit token, and a wait that returns the tokens of the
/// ready ones. One thread waits; registration may happen from any thread.
/// </summary>
public sealed unsafe class Epoll : IDisposable
{
    private static readonly bool PackedEvents = RuntimeInformation.ProcessArchitecture == Architecture.X64;
    private readonly int _fd;
    private readonly int _capacity;
    private readonly byte* _events;
    private int _disposed;

    /// <param name="capacity">Most events returned by one <see cref="Wait"/>.</param>
    public Epoll(int capacity = 64)
    {
        _fd = EpollCreate1(EPOLL_CLOEXEC);
        if (_fd < 0) throw PlatformErrors.Last("epoll_create1");
        _capacity = capacity;
        _events = (byte*)NativeMemory.Alloc((nuint)(capacity * (PackedEvents ? sizeof(EpollEventPacked) : sizeof(EpollEventAligned))));
    }

    /// <summary>Watches <paramref name="fd"/> for input; <paramref name="token"/> comes back when it is readable.</summary>
    public void Add(int fd, ulong token)
    {
        int rc;
        if (PackedEvents)
        {
            var ev = new EpollEventPacked { Events = EPOLLIN, Data = token };
            rc = EpollCtl(_fd, EPOLL_CTL_ADD, fd, &ev);
        }
        else
        {
            var ev = new EpollEventAligned { Events = EPOLLIN, Data = token };
            rc = EpollCtl(_fd, EPOLL_CTL_ADD, fd, &ev);
        }
        if (rc != 0) throw PlatformErrors.Last("epoll_ctl");
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMs"/> (−1: for ever) and writes the tokens of the ready descriptors into
    /// <paramref name="tokens"/>; returns how many (0 on timeout or a signal).
    /// </summary>
    public int Wait(Span<ulong> tokens, int timeoutMs)
    {
        int n = EpollWait(_fd, _events, Math.Min(_capacity, tokens.Length), timeoutMs);
        if (n < 0)
        {
            if (Marshal.GetLastPInvokeError() == EINTR) return 0;
            throw PlatformErrors.Last("epoll_wait");
        }
        for (int i = 0; i < n; i++)
            tokens[i] = PackedEvents ? ((EpollEventPacked*)_events)[i].Data : ((EpollEventAligned*)_events)[i].Data;
        return n;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        SocketCalls.Close(_fd);
        NativeMemory.Free(_events);
    }
}
