namespace FleetVpn.Server.Sessions;

/// <summary>
/// Sessions by a key each of them carries (<see cref="KeyOf"/>): an open-addressing table of references (linear
/// probing), so an entry costs 16-32 bytes of table where a concurrent dictionary's node and bucket cost about 72.
/// Lookups are lock-free on any thread; changes are made by one writer at a time (the caller's lock). A growth copies
/// the live entries into a new array and publishes it whole, so a reader sees the old table or the new one; a removal
/// leaves a tombstone, cleared by the next rebuild.
/// </summary>
public abstract class OpenAddressingIndex<T, TKey> where T : class where TKey : IEquatable<TKey>
{
    /// <summary>The key an entry is found by; it must not change while the entry is in the table.</summary>
    protected abstract TKey KeyOf(T entry);

    private const int MinCapacity = 64;

    /// <summary>Marks a removed entry: probing goes on past it, an insertion may reuse it.</summary>
    private static readonly object Tombstone = new();

    private volatile object?[] _slots = new object?[MinCapacity];
    private int _count;
    private int _tombstones;

    public int Count => Volatile.Read(ref _count);

    /// <summary>Table slots (2 to 4 per entry once past the minimum).</summary>
    public int Capacity => _slots.Length;

    /// <summary>The entry with <paramref name="key"/>, or null.</summary>
    public T? Get(in TKey key)
    {
        var slots = _slots;
        int mask = slots.Length - 1;
        for (int i = key.GetHashCode() & mask, probes = 0; probes < slots.Length; i = (i + 1) & mask, probes++)
        {
            var entry = Volatile.Read(ref slots[i]);
            if (entry is null) return null;
            if (entry is T item && KeyOf(item).Equals(key)) return item;
        }
        return null;
    }

    /// <summary>Every entry (a snapshot of the table as it is when the walk reaches each slot).</summary>
    public IEnumerable<T> All()
    {
        var slots = _slots;
        for (int i = 0; i < slots.Length; i++)
            if (Volatile.Read(ref slots[i]) is T item) yield return item;
    }

    /// <summary>
    /// Adds <paramref name="item"/> under its key, replacing an entry already there, and returns the entry it replaced
    /// (null if none). One writer at a time.
    /// </summary>
    public T? Set(T item)
    {
        var key = KeyOf(item);
        var slots = _slots;
        int mask = slots.Length - 1;
        int free = -1;
        for (int i = key.GetHashCode() & mask, probes = 0; probes < slots.Length; i = (i + 1) & mask, probes++)
        {
            var entry = slots[i];
            if (entry is null)
            {
                if (free < 0) free = i;
                break;
            }
            if (ReferenceEquals(entry, Tombstone))
            {
                if (free < 0) free = i;
                continue;
            }
            if (KeyOf((T)entry).Equals(key))
            {
                Volatile.Write(ref slots[i], item);
                return (T)entry;
            }
        }
        if (ReferenceEquals(slots[free], Tombstone)) _tombstones--;
        Volatile.Write(ref slots[free], item);
        Volatile.Write(ref _count, _count + 1);
        // Half full at most, tombstones included: every probe then ends at an empty slot soon.
        if ((_count + _tombstones) * 2 > slots.Length) Rebuild();
        return null;
    }

    /// <summary>Removes <paramref name="item"/> (this very entry, under <paramref name="key"/>); false when it is not there.</summary>
    public bool Remove(T item, in TKey key)
    {
        var slots = _slots;
        int mask = slots.Length - 1;
        for (int i = key.GetHashCode() & mask, probes = 0; probes < slots.Length; i = (i + 1) & mask, probes++)
        {
            var entry = slots[i];
            if (entry is null) return false;
            if (!ReferenceEquals(entry, item)) continue;
            Volatile.Write(ref slots[i], Tombstone);
            Volatile.Write(ref _count, _count - 1);
            _tombstones++;
            // Shrinks after a fleet left (a quarter full or less), so a drained server gives the table back.
            if (_count * 8 < slots.Length && slots.Length > MinCapacity) Rebuild();
            return true;
        }
        return false;
    }

    /// <summary>A new table sized for the live entries (a quarter to a half full), without tombstones, published whole.</summary>
    private void Rebuild()
    {
        int capacity = MinCapacity;
        while (capacity < _count * 4) capacity *= 2;
        var fresh = new object?[capacity];
        int mask = capacity - 1;
        foreach (var entry in _slots)
        {
            if (entry is not T item) continue;
            int i = KeyOf(item).GetHashCode() & mask;
            while (fresh[i] is not null) i = (i + 1) & mask;
            fresh[i] = item;
        }
        _tombstones = 0;
        _slots = fresh;
    }
}
