using FleetVpn.Protocol.DataChannel;
using FleetVpn.Protocol.Keys;
using FleetVpn.Protocol.Wire;

namespace FleetVpn.Protocol.Tests.DataChannel;

public sealed class PacketCipherCacheTests
{
    private sealed class Owner : ICipherCacheOwner
    {
        public int CipherCacheKey { get; } = ICipherCacheOwner.NewCipherCacheKey();
    }

    /// <param name="makesSpares">Whether it offers spares (<see cref="IPacketCipher.NewSpare"/>) as the OpenSSL kind does.</param>
    private sealed class RecordingCipher(bool makesSpares = false, bool isSpare = false) : IPacketCipher
    {
        public bool IsSpare => isSpare;
        public bool Disposed { get; private set; }
        public DataCipher Cipher => DataCipher.Aes256Gcm;
        public int MaxOverhead => 0;
        public int Seal(Span<byte> packet, int headerLength, uint packetId, ReadOnlySpan<byte> plaintext) => 0;
        public bool TryOpen(ReadOnlySpan<byte> packet, int headerLength, Span<byte> plaintext, out int plaintextLength, out uint packetId)
        {
            plaintextLength = 0;
            packetId = 0;
            return false;
        }
        public IPacketCipher? NewSpare() => makesSpares ? new RecordingCipher(makesSpares, isSpare: true) : null;
        public void Dispose() => Disposed = true;
    }

    [Fact]
    public void A_second_use_of_the_same_keys_and_direction_finds_the_same_context()
    {
        using var cache = new PacketCipherCache(16);
        var owner = new Owner();
        var first = cache.Get(owner, 0, static (_, _) => new RecordingCipher());
        var again = cache.Get(owner, 0, static (_, _) => new RecordingCipher());
        var other = cache.Get(owner, 1, static (_, _) => new RecordingCipher());
        Assert.Same(first, again);
        Assert.NotSame(first, other);
        Assert.Same(first, cache.Get(owner, 0, static (_, _) => new RecordingCipher()));
        Assert.Equal(2, cache.Created);
    }

    [Fact]
    public void A_peer_mapped_to_the_same_entry_evicts_and_frees_the_previous_context()
    {
        using var cache = new PacketCipherCache(1);
        var a = new Owner();
        var b = new Owner();
        var first = (RecordingCipher)cache.Get(a, 0, static (_, _) => new RecordingCipher());
        var second = (RecordingCipher)cache.Get(b, 0, static (_, _) => new RecordingCipher());
        Assert.True(first.Disposed);
        Assert.False(second.Disposed);
        var third = cache.Get(a, 0, static (_, _) => new RecordingCipher());
        Assert.NotSame(first, third);
        Assert.True(second.Disposed);
        Assert.Equal(3, cache.Created);
    }

    [Fact]
    public void The_first_context_fills_the_empty_entries_with_spares_that_later_misses_are_offered()
    {
        var cache = new PacketCipherCache(4);
        var first = cache.Get(new Owner(), 0, static (_, _) => new RecordingCipher(makesSpares: true));
        // Owners are numbered in turn, so the next one maps to another entry: one of the spares.
        RecordingCipher? offered = null;
        var second = cache.Get(new Owner(), 0, (_, _) =>
        {
            PacketCipherCache.TryTakeEvicted(out offered);
            return offered ?? new RecordingCipher(makesSpares: true);
        });
        Assert.NotNull(offered);
        Assert.True(offered.IsSpare);
        Assert.Same(offered, second);
        Assert.False(offered.Disposed);
        Assert.Equal(2, cache.Created);
        cache.Dispose();
        Assert.True(((RecordingCipher)first).Disposed);
        Assert.True(offered.Disposed);
    }

    [Fact]
    public void A_kind_without_spares_leaves_the_empty_entries_empty()
    {
        using var cache = new PacketCipherCache(4);
        cache.Get(new Owner(), 0, static (_, _) => new RecordingCipher());
        bool offered = true;
        cache.Get(new Owner(), 0, (_, _) => { offered = PacketCipherCache.TryTakeEvicted(out RecordingCipher? _); return new RecordingCipher(); });
        Assert.False(offered);
    }

    [Fact]
    public void Spare_openssl_contexts_re_keyed_by_misses_seal_what_fresh_contexts_open()
    {
        using var cache = new PacketCipherCache(8);
        Span<byte> packet = stackalloc byte[128];
        Span<byte> plain = stackalloc byte[128];
        for (int peer = 0; peer < 6; peer++)
        {
            var material = new KeyMaterial(Enumerable.Range(0, KeyMaterial.Size).Select(i => (byte)(i * 7 + peer)).ToArray());
            var owner = new Owner();
            DataPacketHeader.WriteV2(packet, 0, 7);
            var seal = cache.Get(owner, KeyMaterial.ServerToClient, (_, slot) => PacketCiphers.Create(DataCipher.Aes256Gcm, HmacDigest.Sha1, material, slot));
            int length = seal.Seal(packet, DataPacketHeader.V2Size, 1, "ping"u8);
            using var fresh = PacketCiphers.Create(DataCipher.Aes256Gcm, HmacDigest.Sha1, material, KeyMaterial.ServerToClient);
            Assert.True(fresh.TryOpen(packet[..length], DataPacketHeader.V2Size, plain, out int n, out _), $"peer {peer}");
            Assert.True(plain[..n].SequenceEqual("ping"u8));
        }
        Assert.Equal(6, cache.Created);
    }

    [Fact]
    public void Dispose_frees_every_cached_context()
    {
        var cache = new PacketCipherCache(8);
        var contexts = Enumerable.Range(0, 4).Select(_ => (RecordingCipher)cache.Get(new Owner(), 0, static (_, _) => new RecordingCipher())).ToList();
        cache.Dispose();
        Assert.All(contexts, c => Assert.True(c.Disposed));
    }

    [Fact]
    public void Cached_contexts_seal_and_open_a_stream_of_packets_like_fresh_ones()
    {
        var material = new KeyMaterial(Enumerable.Range(0, KeyMaterial.Size).Select(i => (byte)i).ToArray());
        using var cache = new PacketCipherCache(4);
        var owner = new Owner();
        Span<byte> packet = stackalloc byte[128];
        Span<byte> plain = stackalloc byte[128];
        for (uint id = 1; id <= 5; id++)
        {
            DataPacketHeader.WriteV2(packet, 0, 7);
            var seal = cache.Get(owner, KeyMaterial.ClientToServer, (_, slot) => PacketCiphers.Create(DataCipher.Aes256Gcm, HmacDigest.Sha1, material, slot));
            int length = seal.Seal(packet, DataPacketHeader.V2Size, id, "ping"u8);
            using var fresh = PacketCiphers.Create(DataCipher.Aes256Gcm, HmacDigest.Sha1, material, KeyMaterial.ClientToServer);
            Assert.True(fresh.TryOpen(packet[..length], DataPacketHeader.V2Size, plain, out int n, out uint packetId));
            Assert.Equal(id, packetId);
            Assert.True(plain[..n].SequenceEqual("ping"u8));
        }
        Assert.Equal(1, cache.Created);
    }
}
