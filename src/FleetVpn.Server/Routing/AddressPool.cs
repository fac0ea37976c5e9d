using System.Buffers.Binary;
using System.Net;

namespace FleetVpn.Server.Routing;

/// <summary>
/// The `topology subnet` address pool of `server NET MASK` (OpenVPN's helper.c expansion): the
/// server takes NET+1, clients get NET+2 … broadcast−1, lowest free first. Thread-safe.
/// </summary>
public sealed class AddressPool
{
    private readonly uint _first;
    private readonly bool[] _used;
    private readonly object _gate = new();
    private int _searchFrom;

    public AddressPool(IPAddress network, IPAddress netmask)
    {
        uint net = ToUInt32(network), mask = ToUInt32(netmask);
        Network = net;
        Mask = mask;
        ServerAddress = net + 1;
        _first = net + 2;
        uint last = (net | ~mask) - 1;
        _used = new bool[last >= _first ? last - _first + 1 : 0];
    }

    public uint Network { get; }
    public uint Mask { get; }
    public uint ServerAddress { get; }
    public int PrefixLength => System.Numerics.BitOperations.PopCount(Mask);
    public int Capacity => _used.Length;

    public bool Contains(uint address) => (address & Mask) == Network;

    /// <summary>Takes the lowest free address; false when the pool is exhausted.</summary>
    public bool TryAllocate(out uint address)
    {
        lock (_gate)
        {
            for (int n = 0; n < _used.Length; n++)
            {
                int i = (_searchFrom + n) % _used.Length;
                if (_used[i]) continue;
                _used[i] = true;
                _searchFrom = 0;
                address = _first + (uint)i;
                return true;
            }
        }
        address = 0;
        return false;
    }

    /// <summary>Takes a specific address (a client-config-dir `ifconfig-push`); true if it is outside the pool or was free.</summary>
    public bool TryReserve(uint address)
    {
        lock (_gate)
        {
            long i = (long)address - _first;
            if (i < 0 || i >= _used.Length) return true;
            if (_used[i]) return false;
            _used[i] = true;
            return true;
        }
    }

    public void Release(uint address)
    {
        lock (_gate)
        {
            long i = (long)address - _first;
            if (i >= 0 && i < _used.Length) _used[i] = false;
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
}
