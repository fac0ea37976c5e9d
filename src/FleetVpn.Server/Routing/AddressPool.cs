using System.Buffers.Binary;
using System.Net;

namespace FleetVpn.Server.Routing;

/// <summary>
/// The `topology subnet` address pool of `server NET MASK` (OpenVPN's helper.c expansion): the
/// server takes NET+1, clients get NET+2 … broadcast−1. With `fleet-node I K` clients get only node I's
/// <see cref="FleetSlice"/> (its first address + 1 … its last − 1), while the mask pushed and the tun's
/// subnet stay the whole network. Thread-safe.
/// </summary>
/// <remarks>
/// Like OpenVPN's pool.c, an address remembers the common name it was last given to (or that
/// `ifconfig-pool-persist` read for it) after it is released, so a returning client gets its old
/// address back (<see cref="TryAllocate(string?, out uint)"/>) and other clients take addresses
/// nobody remembers first; only when those run out is the free address whose owner left longest
/// ago handed to someone else. A <em>fixed</em> address (read from a read-only persist file,
/// `ifconfig-pool-persist FILE 0`) is only ever given to its own common name.
/// Without remembered names (no persist file, only <see cref="TryAllocate(out uint)"/>) the pool
/// hands out the lowest free address, as before.
/// </remarks>
public sealed class AddressPool
{
    private readonly uint _first;
    private readonly int _size;
    private readonly object _gate = new();

    // Per slot: in use, the common name it remembers, whether only that name may take it, and when it was
    // released or remembered (a counter; 0 = never), to reclaim the longest-unused one first. The arrays cover
    // the slots touched so far and grow (doubling) as clients come: a /12 pool (a million addresses) holding
    // 100,000 clients keeps 130,000 slots, not 18 MB. A slot past their end is free and remembers nothing.
    private bool[] _used = [];
    private string?[] _owner = [];
    private bool[] _fixed = [];
    private long[] _releasedAt = [];
    private readonly Dictionary<string, int> _slotByName = new(StringComparer.Ordinal);
    private long _clock;

    // Every slot below this index is in use or remembered by some name.
    private int _lowestUnowned;

    public AddressPool(IPAddress network, IPAddress netmask, FleetSlice? slice = null)
    {
        uint net = ToUInt32(network), mask = ToUInt32(netmask);
        Network = net;
        Mask = mask;
        ServerAddress = net + 1;
        Slice = slice ?? new FleetSlice(net, System.Numerics.BitOperations.PopCount(mask));
        _first = slice is { } s ? s.Network + 1 : net + 2;
        uint last = (slice is { } t ? t.Last : net | ~mask) - 1;
        _size = last >= _first ? (int)(last - _first + 1) : 0;
    }

    public uint Network { get; }
    public uint Mask { get; }
    public uint ServerAddress { get; }
    /// <summary>NET+2, the first address handed to a client; the pool's <see cref="Capacity"/> addresses follow it.</summary>
    public uint FirstClientAddress => _first;
    public int PrefixLength => System.Numerics.BitOperations.PopCount(Mask);
    public int Capacity => _size;

    public bool Contains(uint address) => (address & Mask) == Network;

    /// <summary>
    /// What the backend routes to this server: the whole network, or with `fleet-node` this node's block. A client
    /// address outside it (a static address, or another node's) needs a /32 route of its own, which the routing
    /// daemon announces.
    /// </summary>
    public FleetSlice Slice { get; }

    /// <summary>True for an address the pool hands to clients (NET+2 … broadcast−1).</summary>
    public bool IsClientAddress(uint address) => SlotOf(address) >= 0;

    /// <summary>
    /// Takes a free address without regard to who asks: the lowest one no common name remembers,
    /// else the one released longest ago; false when the pool is exhausted.
    /// </summary>
    public bool TryAllocate(out uint address) => TryAllocate(null, out address);

    /// <summary>
    /// Takes an address for the client <paramref name="commonName"/>: the one it had before (from
    /// `ifconfig-pool-persist` or an earlier session) when that is free, else the lowest free one
    /// that no other name remembers, else the free one released longest ago (never another name's
    /// fixed one). The address then remembers <paramref name="commonName"/>. False when the pool is exhausted.
    /// A null name allocates as <see cref="TryAllocate(out uint)"/> and remembers nothing.
    /// </summary>
    public bool TryAllocate(string? commonName, out uint address)
    {
        lock (_gate)
        {
            int slot = -1;
            if (commonName is not null && _slotByName.TryGetValue(commonName, out int remembered) && !_used[remembered])
                slot = remembered;
            if (slot < 0) slot = LowestFreeUnowned();
            if (slot < 0) slot = LongestReleased();
            if (slot < 0)
            {
                address = 0;
                return false;
            }
            Cover(slot);
            _used[slot] = true;
            if (_owner[slot] != commonName)
            {
                Forget(slot);
                if (commonName is not null)
                {
                    _owner[slot] = commonName;
                    _slotByName[commonName] = slot;
                }
            }
            address = _first + (uint)slot;
            return true;
        }
    }

    /// <summary>
    /// Remembers that <paramref name="address"/> belongs to <paramref name="commonName"/> (a line of an
    /// `ifconfig-pool-persist` file; a later line for the same address wins). <paramref name="isFixed"/>:
    /// no other name may ever take it. False, and nothing remembered, for an address outside the client range.
    /// </summary>
    public bool Remember(string commonName, uint address, bool isFixed = false)
    {
        ArgumentNullException.ThrowIfNull(commonName);
        lock (_gate)
        {
            int slot = SlotOf(address);
            if (slot < 0) return false;
            Cover(slot);
            Forget(slot);
            _owner[slot] = commonName;
            _fixed[slot] = isFixed;
            _releasedAt[slot] = ++_clock;
            _slotByName[commonName] = slot;
            return true;
        }
    }

    /// <summary>The address remembered for <paramref name="commonName"/> (in use or not), if any.</summary>
    public bool TryGetRemembered(string commonName, out uint address)
    {
        lock (_gate)
        {
            if (_slotByName.TryGetValue(commonName, out int slot))
            {
                address = _first + (uint)slot;
                return true;
            }
        }
        address = 0;
        return false;
    }

    /// <summary>
    /// Every address that remembers a common name, in use or not, lowest address first: what
    /// `ifconfig-pool-persist` writes (OpenVPN's ifconfig_pool_list).
    /// </summary>
    public IReadOnlyList<(string CommonName, uint Address)> RememberedAddresses()
    {
        var list = new List<(string, uint)>();
        lock (_gate)
        {
            for (int i = 0; i < _owner.Length; i++)
                if (_owner[i] is { } name) list.Add((name, _first + (uint)i));
        }
        return list;
    }

    /// <summary>Takes a specific address (a client-config-dir `ifconfig-push`); true if it is outside the pool or was free.</summary>
    public bool TryReserve(uint address)
    {
        lock (_gate)
        {
            int i = SlotOf(address);
            if (i < 0) return true;
            Cover(i);
            if (_used[i]) return false;
            _used[i] = true;
            return true;
        }
    }

    /// <summary>Frees an address; it keeps remembering its common name (OpenVPN's soft release).</summary>
    public void Release(uint address)
    {
        lock (_gate)
        {
            int i = SlotOf(address);
            if (i < 0 || i >= _used.Length || !_used[i]) return;
            _used[i] = false;
            if (_owner[i] is null) _lowestUnowned = Math.Min(_lowestUnowned, i);
            else _releasedAt[i] = ++_clock;
        }
    }

    public static uint ToUInt32(IPAddress address)
    {
        Span<byte> b = stackalloc byte[4];
        if (!address.TryWriteBytes(b, out int n) || n != 4) throw new ArgumentException($"{address} is not IPv4");
        return BinaryPrimitives.ReadUInt32BigEndian(b);
    }

    public static IPAddress ToAddress(uint address)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, address);
        return new IPAddress(b);
    }

    private int SlotOf(uint address)
    {
        long i = (long)address - _first;
        return i >= 0 && i < _size ? (int)i : -1;
    }

    /// <summary>Grows the slot arrays (doubling, at most to the pool's size) until they cover <paramref name="slot"/>.</summary>
    private void Cover(int slot)
    {
        if (slot < _used.Length) return;
        int length = (int)Math.Min(_size, Math.Max(Math.Max(1024L, 2L * _used.Length), slot + 1L));
        Array.Resize(ref _used, length);
        Array.Resize(ref _owner, length);
        Array.Resize(ref _fixed, length);
        Array.Resize(ref _releasedAt, length);
    }

    private int LowestFreeUnowned()
    {
        for (int i = _lowestUnowned; i < _size; i++)
        {
            if (i < _used.Length && (_used[i] || _owner[i] is not null)) continue;
            _lowestUnowned = i;
            return i;
        }
        _lowestUnowned = _size;
        return -1;
    }

    /// <summary>
    /// The free, non-fixed, remembered slot released longest ago (lowest index on a tie); -1 if none. Asked only when
    /// no slot is free and unremembered, so the arrays then cover the whole pool.
    /// </summary>
    private int LongestReleased()
    {
        int best = -1;
        for (int i = 0; i < _used.Length; i++)
        {
            if (_used[i] || _fixed[i]) continue;
            if (best < 0 || _releasedAt[i] < _releasedAt[best]) best = i;
        }
        return best;
    }

    /// <summary>Drops the name a slot remembers (the slot itself keeps its in-use state).</summary>
    private void Forget(int slot)
    {
        if (_owner[slot] is { } name && _slotByName.TryGetValue(name, out int mapped) && mapped == slot)
            _slotByName.Remove(name);
        _owner[slot] = null;
        _fixed[slot] = false;
        _releasedAt[slot] = 0;
        if (!_used[slot]) _lowestUnowned = Math.Min(_lowestUnowned, slot);
    }
}
