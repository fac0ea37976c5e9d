using System.Collections.Concurrent;

namespace FleetVpn.Server.Sessions;

/// <summary>
/// The session that holds each tunnel address, read lock-free by every worker for each packet from the tun.
/// Addresses of the pool are slots in pages of 1,024 made as the pool fills (8 bytes a client, where a
/// dictionary node and its bucket cost about 50); the few outside it (a ccd `ifconfig-push` elsewhere) are in a
/// dictionary.
/// </summary>
public sealed class TunnelAddressIndex
{
    private const int PageBits = 10;
    private const int PageSize = 1 << PageBits;

    private readonly uint _first;
    private readonly int _size;
    private readonly ClientSession?[]?[] _pages;
    private readonly ConcurrentDictionary<uint, ClientSession> _outside = new();
    private readonly object _growing = new();

    /// <param name="first">The pool's first client address.</param>
    /// <param name="size">How many addresses the pool has from <paramref name="first"/> on.</param>
    public TunnelAddressIndex(uint first, int size)
    {
        _first = first;
        _size = size;
        _pages = new ClientSession?[]?[(size + PageSize - 1) >> PageBits];
    }

    public ClientSession? Get(uint address)
    {
        long slot = (long)address - _first;
        if (slot < 0 || slot >= _size) return _outside.GetValueOrDefault(address);
        var page = Volatile.Read(ref _pages[slot >> PageBits]);
        return page is null ? null : Volatile.Read(ref page[slot & (PageSize - 1)]);
    }

    public void Set(uint address, ClientSession session)
    {
        long slot = (long)address - _first;
        if (slot < 0 || slot >= _size)
        {
            _outside[address] = session;
            return;
        }
        Volatile.Write(ref Page(slot)[slot & (PageSize - 1)], session);
    }

    /// <summary>Clears the address if <paramref name="session"/> still holds it (a newer holder stays).</summary>
    public void Remove(uint address, ClientSession session)
    {
        long slot = (long)address - _first;
        if (slot < 0 || slot >= _size)
        {
            _outside.TryRemove(new KeyValuePair<uint, ClientSession>(address, session));
            return;
        }
        if (Volatile.Read(ref _pages[slot >> PageBits]) is { } page)
            Interlocked.CompareExchange(ref page[slot & (PageSize - 1)], null, session);
    }

    private ClientSession?[] Page(long slot)
    {
        ref var page = ref _pages[slot >> PageBits];
        if (Volatile.Read(ref page) is { } existing) return existing;
        lock (_growing)
        {
            if (page is null) Volatile.Write(ref page, new ClientSession?[PageSize]);
            return page;
        }
    }
}
