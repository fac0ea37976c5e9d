using System.Diagnostics.CodeAnalysis;

namespace FleetVpn.Protocol.DataChannel;

/// <summary>
/// The cipher contexts of one thread, for the peers it served last. A live AES-GCM context costs about 1.1 KB of
/// native memory; a fleet of idle devices that each seal and open one keepalive per ping period does not need one
/// kept per device, while a busy peer must not pay a context set-up per packet. So contexts live here, per thread
/// (contexts are not thread-safe), in a direct-mapped table indexed by the key owner's <see cref="ICipherCacheOwner.CipherCacheKey"/> and the direction:
/// a busy peer finds its context, an idle one's is evicted by whoever maps to the same entry next. The evicted
/// context is offered to the factory (<see cref="TryTakeEvicted"/>), which may re-key it in place: with 100,000
/// idle devices nearly every keepalive is a miss, and a new OpenSSL context per miss was most of their CPU.
/// </summary>
public sealed class PacketCipherCache : IDisposable
{
    /// <summary>Entries per thread: a few MB of contexts at most.</summary>
    public const int DefaultSize = 2048;

    [ThreadStatic] private static PacketCipherCache? t_current;

    /// <summary>The entry evicted by this thread's miss in progress, until the factory takes it or it is freed.</summary>
    [ThreadStatic] private static IPacketCipher? t_evicted;

    private readonly Entry[] _entries;
    private readonly int _mask;
    private bool _sparesMade;

    private struct Entry
    {
        public object? Owner;
        public int Slot;
        public IPacketCipher? Cipher;
    }

    public PacketCipherCache(int size = DefaultSize)
    {
        if (size <= 0 || (size & (size - 1)) != 0) throw new ArgumentException("size must be a power of two", nameof(size));
        _entries = new Entry[size];
        _mask = size - 1;
    }

    /// <summary>This thread's cache.</summary>
    public static PacketCipherCache Current => t_current ??= new PacketCipherCache();

    /// <summary>Contexts made (cache misses) since this cache was created.</summary>
    public long Created { get; private set; }

    /// <summary>
    /// The cipher for direction <paramref name="slot"/> of <paramref name="owner"/>'s keys, made by
    /// <paramref name="create"/> when it is not cached; valid on this thread until the next call.
    /// </summary>
    public IPacketCipher Get<TOwner>(TOwner owner, int slot, Func<TOwner, int, IPacketCipher> create) where TOwner : class, ICipherCacheOwner
    {
        ref var entry = ref _entries[(owner.CipherCacheKey * 2 + slot) & _mask];
        if (ReferenceEquals(entry.Owner, owner) && entry.Slot == slot) return entry.Cipher!;
        var outer = t_evicted;
        t_evicted = entry.Cipher;
        entry = default;
        IPacketCipher cipher;
        try
        {
            cipher = create(owner, slot);
        }
        finally
        {
            // Whatever the factory did not take is freed, as before.
            var untaken = t_evicted;
            t_evicted = outer;
            untaken?.Dispose();
        }
        entry.Owner = owner;
        entry.Slot = slot;
        entry.Cipher = cipher;
        Created++;
        if (!_sparesMade) MakeSpares(cipher);
        return cipher;
    }

    /// <summary>
    /// At the first miss, fills every empty entry with a spare context that a later miss re-keys: the cache's native
    /// memory is then allocated in one run (a few MB), not one context at a time among the short-lived allocations of
    /// thousands of TLS handshakes, whose freed holes each context left behind would keep resident for good.
    /// </summary>
    private void MakeSpares(IPacketCipher model)
    {
        _sparesMade = true;
        for (int i = 0; i < _entries.Length; i++)
        {
            if (_entries[i].Cipher is not null) continue;
            var spare = model.NewSpare();
            if (spare is null) return;
            _entries[i].Cipher = spare;
        }
    }

    /// <summary>
    /// For a factory that <see cref="Get"/> called on this thread: takes the context its miss evicted, if it is a
    /// <typeparamref name="T"/>, to re-key and return instead of a new one. It is no longer cached (nor freed) here.
    /// </summary>
    internal static bool TryTakeEvicted<T>([NotNullWhen(true)] out T? cipher) where T : class, IPacketCipher
    {
        cipher = t_evicted as T;
        if (cipher is null) return false;
        t_evicted = null;
        return true;
    }

    public void Dispose()
    {
        for (int i = 0; i < _entries.Length; i++)
        {
            _entries[i].Cipher?.Dispose();
            _entries[i] = default;
        }
    }
}
