using System.Numerics;

namespace FleetVpn.Protocol.Timing;

/// <summary>
/// Hashed timing wheel for per-client deadlines (keepalive, ping-restart, control retransmit, handshake timeout,
/// renegotiation): <see cref="Schedule"/> is O(1), <see cref="Advance"/> walks only the slots whose time came, so an
/// idle client costs nothing between its deadlines. Slot <c>t mod slotCount</c> holds the entries due in
/// <c>((t-1)·tickMs, t·tickMs]</c> of every turn; an entry more than a turn ahead stays in its slot and is kept when
/// the slot is walked before it is due. There is no cancel: callers are lazy, they remember what they scheduled,
/// re-check their real deadlines when an item fires and schedule again only when they need an earlier wake-up (an
/// item scheduled twice fires twice). Entries never fire early and are never lost. Steady state allocates nothing:
/// slot arrays grow by doubling, are compacted in place, and a slot that a walk empties gives its array to a free list
/// that the next growing slot takes from. Deadlines crowd into the slots of the next interval (a keepalive's 10 s are
/// 200 of the 2,048 slots), so arrays kept by every slot would cost ten times the entries they hold: at 100,000 clients
/// 33 MB instead of 3.
/// Not thread-safe: one owner thread (a per-core worker) schedules and advances.
/// </summary>
public sealed class TimingWheel<T> where T : class
{
    private const int InitialSlotCapacity = 4;

    /// <summary>Slot arrays at or below this size are never shrunk; 2048 slots of 16 entries are 512 KiB at most.</summary>
    private const int ShrinkFloor = 16;

    private readonly long _tickMs;
    private readonly long _mask;
    private readonly Entry[]?[] _slots;
    private readonly int[] _counts;

    /// <summary>Smallest due time in the slot (<see cref="long.MaxValue"/> when empty): lets a walk skip a slot that
    /// holds only later rounds, and makes repeated Advance calls within one tick free.</summary>
    private readonly long[] _minDue;

    /// <summary>Most entries the slot held since its last full walk: a slot shrinks only after a whole turn of low use,
    /// so the regular fill and drain of a busy slot does not reallocate it every turn.</summary>
    private readonly int[] _peak;

    /// <summary>Arrays of emptied slots, by size class (log2 of the length), for the next slot that grows.</summary>
    private readonly Stack<Entry[]>?[] _free = new Stack<Entry[]>?[32];

    /// <summary>Entries the free arrays could hold: kept at most <see cref="Count"/> (or <see cref="FreeFloor"/>), so
    /// after a burst drains the spare arrays go to the GC instead of staying at the burst's size.</summary>
    private long _freeCapacity;

    private const int FreeFloor = 4_096;

    /// <summary>The last tick whose slot was fully walked: every slot up to it has fired what was due.</summary>
    private long _tick;

    public TimingWheel(long nowMs, int tickMs = 50, int slotCount = 2048)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tickMs, 1);
        if (slotCount < 1 || !BitOperations.IsPow2(slotCount))
            throw new ArgumentOutOfRangeException(nameof(slotCount), slotCount, "slotCount must be a power of two");
        _tickMs = tickMs;
        _mask = slotCount - 1;
        _slots = new Entry[]?[slotCount];
        _counts = new int[slotCount];
        _minDue = new long[slotCount];
        _peak = new int[slotCount];
        Array.Fill(_minDue, long.MaxValue);
        _tick = FloorDiv(nowMs, _tickMs);
    }

    /// <summary>Entries held (scheduled and not yet fired).</summary>
    public int Count { get; private set; }

    /// <summary>When the next slot boundary is due: what an epoll timeout should wait for. The wheel does not know
    /// whether that slot holds anything.</summary>
    public long NextTickMs => (_tick + 1) * _tickMs;

    /// <summary>Fires <paramref name="item"/> at the first <see cref="Advance"/> whose now is at or after
    /// <paramref name="dueMs"/>; a due time in the past fires at the next Advance.</summary>
    public void Schedule(T item, long dueMs)
    {
        ArgumentNullException.ThrowIfNull(item);
        long tick = CeilDiv(dueMs, _tickMs);
        // The slots up to _tick were walked already; the next Advance always walks _tick + 1.
        if (tick <= _tick) tick = _tick + 1;
        int s = (int)(tick & _mask);

        var entries = _slots[s];
        int count = _counts[s];
        if (entries is null || count == entries.Length)
        {
            var grown = Rent(entries is null ? InitialSlotCapacity : entries.Length * 2);
            if (entries is not null)
            {
                entries.AsSpan(0, count).CopyTo(grown);
                Return(entries, count);
            }
            _slots[s] = entries = grown;
        }
        entries[count] = new Entry(item, dueMs);
        _counts[s] = ++count;
        if (count > _peak[s]) _peak[s] = count;
        if (dueMs < _minDue[s]) _minDue[s] = dueMs;
        Count++;
    }

    /// <summary>
    /// Appends to <paramref name="due"/> every item whose due time is at or before <paramref name="nowMs"/> (in no
    /// particular order) and removes them. Walks the slots passed since the last call (every slot once if more than a
    /// turn passed) and the one the current tick falls into. <paramref name="nowMs"/> should not go backwards; if it
    /// does, nothing is lost or fired early.
    /// </summary>
    public void Advance(long nowMs, List<T> due)
    {
        ArgumentNullException.ThrowIfNull(due);
        long nowTick = FloorDiv(nowMs, _tickMs);
        long passed = nowTick - _tick;
        if (passed >= _slots.Length)
        {
            // More than a turn: each slot once, checking every entry against now.
            for (int s = 0; s < _slots.Length; s++) Walk(s, nowMs, due, full: true);
        }
        else
        {
            for (long t = _tick + 1; t <= nowTick; t++) Walk((int)(t & _mask), nowMs, due, full: true);
            // The tick now falls into: only what is due by now fires, the rest waits for its boundary.
            Walk((int)((Math.Max(nowTick, _tick) + 1) & _mask), nowMs, due, full: false);
        }
        if (nowTick > _tick) _tick = nowTick;
        TrimFreeArrays();
    }

    /// <summary>The slot's array length, for tests of the shrink rule.</summary>
    internal int SlotCapacity(int slot) => _slots[slot]?.Length ?? 0;

    private void Walk(int s, long nowMs, List<T> due, bool full)
    {
        int count = _counts[s];
        var entries = _slots[s];
        if (entries is null) return;
        if (_minDue[s] <= nowMs)
        {
            // Compact in place: kept entries (later rounds, or later in this tick) move down, the tail is cleared
            // so fired items are not held alive by the array.
            var span = entries.AsSpan(0, count);
            int kept = 0;
            long min = long.MaxValue;
            for (int i = 0; i < span.Length; i++)
            {
                var entry = span[i];
                if (entry.DueMs <= nowMs)
                {
                    due.Add(entry.Item);
                }
                else
                {
                    if (entry.DueMs < min) min = entry.DueMs;
                    span[kept++] = entry;
                }
            }
            span[kept..].Clear();
            Count -= count - kept;
            _counts[s] = count = kept;
            _minDue[s] = min;
        }
        if (!full) return;
        if (count == 0)
        {
            Return(entries, 0);
            _slots[s] = null;
            _peak[s] = 0;
            return;
        }
        // A slot that stayed under a quarter full for a whole turn gives back half its array (one halving per turn,
        // so a burst's memory is returned over several turns, and a slot that refills does not thrash).
        if (entries.Length > ShrinkFloor && _peak[s] < entries.Length / 4)
        {
            var shrunk = Rent(entries.Length / 2);
            entries.AsSpan(0, count).CopyTo(shrunk);
            Return(entries, count);
            _slots[s] = shrunk;
        }
        _peak[s] = count;
    }

    /// <summary>Free arrays held, in entries (for tests of the free list's bound).</summary>
    internal long FreeCapacity => _freeCapacity;

    private Entry[] Rent(int length)
    {
        var stack = _free[BitOperations.Log2((uint)length)];
        if (stack is null || !stack.TryPop(out var array)) return new Entry[length];
        _freeCapacity -= length;
        return array;
    }

    /// <summary>Clears the first <paramref name="used"/> entries (no item is kept alive) and keeps the array for reuse,
    /// unless the free list already holds as many entries as the wheel.</summary>
    private void Return(Entry[] array, int used)
    {
        array.AsSpan(0, used).Clear();
        if (_freeCapacity + array.Length > Math.Max(Count, FreeFloor)) return;
        (_free[BitOperations.Log2((uint)array.Length)] ??= new Stack<Entry[]>()).Push(array);
        _freeCapacity += array.Length;
    }

    /// <summary>Drops free arrays, largest first, until they hold no more than the wheel (a drained burst).</summary>
    private void TrimFreeArrays()
    {
        long bound = Math.Max(Count, FreeFloor);
        for (int c = _free.Length - 1; c >= 0 && _freeCapacity > bound; c--)
        {
            var stack = _free[c];
            while (stack is not null && _freeCapacity > bound && stack.TryPop(out var array)) _freeCapacity -= array.Length;
        }
    }

    private static long FloorDiv(long a, long b)
    {
        long q = Math.DivRem(a, b, out long r);
        return r < 0 ? q - 1 : q;
    }

    private static long CeilDiv(long a, long b)
    {
        long q = Math.DivRem(a, b, out long r);
        return r > 0 ? q + 1 : q;
    }

    private readonly record struct Entry(T Item, long DueMs);
}
