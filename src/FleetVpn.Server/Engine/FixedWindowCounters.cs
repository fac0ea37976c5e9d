using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace FleetVpn.Server.Engine;

/// <summary>
/// A fixed number of counters, each allowing at most <c>max</c> events per period, counted in fixed windows (as OpenVPN's
/// <c>connect-freq</c> and <c>connect-freq-initial</c> do). One slot is a global budget; many slots, chosen by a hash
/// of the source address (<see cref="SlotOf"/>), are per-source budgets whose memory does not grow with the number of
/// sources: sources that share a slot share its budget. Each slot is one <see cref="long"/>, the window number in the
/// high half and the count in the low half, changed by compare-and-swap: any worker may call, no lock, no allocation.
/// </summary>
public sealed class FixedWindowCounters
{
    private readonly long[] _slots;
    private readonly long _max;
    private readonly long _periodMs;

    /// <param name="slots">A power of two.</param>
    public FixedWindowCounters(int slots, int max, int periodSeconds)
    {
        if (slots <= 0 || (slots & (slots - 1)) != 0) throw new ArgumentOutOfRangeException(nameof(slots), "a power of two");
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        ArgumentOutOfRangeException.ThrowIfLessThan(periodSeconds, 1);
        _slots = new long[slots];
        _max = max;
        _periodMs = periodSeconds * 1000L;
    }

    public int SlotCount => _slots.Length;

    /// <summary>The number of the window <paramref name="nowMs"/> falls in.</summary>
    public uint WindowOf(long nowMs) => (uint)(nowMs / _periodMs);

    /// <summary>Counts one event in <paramref name="slot"/>; false (and nothing counted) when its window's budget is spent.</summary>
    public bool TryTake(int slot, long nowMs)
    {
        ref long state = ref _slots[slot];
        long window = WindowOf(nowMs);
        while (true)
        {
            long current = Volatile.Read(ref state);
            long count = (current >>> 32) == window ? current & 0xFFFFFFFF : 0;
            if (count >= _max) return false;
            if (Interlocked.CompareExchange(ref state, (window << 32) | (count + 1), current) == current) return true;
        }
    }

    /// <summary>Returns one event to <paramref name="slot"/>'s budget (a reply whose client proved its address); nothing once its window has passed.</summary>
    public void GiveBack(int slot, long nowMs)
    {
        ref long state = ref _slots[slot];
        long window = WindowOf(nowMs);
        while (true)
        {
            long current = Volatile.Read(ref state);
            if ((current >>> 32) != window || (current & 0xFFFFFFFF) == 0) return;
            if (Interlocked.CompareExchange(ref state, current - 1, current) == current) return;
        }
    }

    /// <summary>
    /// The slot of a source address (its port left out: one device, one budget), by <see cref="HashCode"/>, whose seed
    /// is random per process, so that a sender cannot choose addresses that fall on the slot of a victim.
    /// </summary>
    public int SlotOf(SocketAddress address)
    {
        var bytes = address.Buffer.Span[..address.Size];
        int hash = address.Family == AddressFamily.InterNetwork && bytes.Length >= 8
            ? HashCode.Combine(BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]))
            : bytes.Length >= 24
                ? HashCode.Combine(BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]), BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..]))
                : 0;
        return hash & (_slots.Length - 1);
    }
}
