using System.Runtime.CompilerServices;
using FleetVpn.Protocol.DataChannel;
using FleetVpn.Protocol.Keys;
using FleetVpn.Protocol.Messages;
using FleetVpn.Protocol.Tests.Fixtures;
using FleetVpn.Protocol.Wire;

namespace FleetVpn.Protocol.Tests.DataChannel;

/// <summary>The OpenSSL AEAD path against the BCL one (<see cref="AeadPacketCipher"/>), which it must match byte for byte.</summary>
public sealed class OpenSslAeadPacketCipherTests
{
    private static readonly int[] Sizes = [0, 1, 15, 16, 17, 100, 1400];

    /// <summary>Debian 12's libcrypto.so.3, loaded whatever FLEETVPN_OPENSSL_AEAD says: these tests are about this path.</summary>
    private static readonly LibCrypto Api =
        LibCrypto.TryLoad(LibCrypto.DefaultLibrary) ?? throw new InvalidOperationException("libcrypto.so.3 did not load");

    public static TheoryData<string, int> CipherAndHeader
    {
        get
        {
            var data = new TheoryData<string, int>();
            foreach (var c in DataCipher.All)
            {
                data.Add(c.Name, DataPacketHeader.V1Size);
                data.Add(c.Name, DataPacketHeader.V2Size);
            }
            return data;
        }
    }

    public static TheoryData<string> Ciphers
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var c in DataCipher.All) data.Add(c.Name);
            return data;
        }
    }

    [Fact]
    public void Libcrypto_loads_here_with_every_aead_cipher_and_the_factory_uses_it()
    {
        // Fails where FLEETVPN_OPENSSL_AEAD=0 turned the path off, as it should: the server would be on the fallback.
        Assert.NotNull(LibCrypto.Shared);
        Assert.All(DataCipher.All, c => Assert.True(LibCrypto.Shared.Supports(c), c.Name));
        Assert.False(LibCrypto.Shared.Supports(DataCipher.Aes256Cbc));
        using var created = PacketCiphers.Create(DataCipher.Aes256Gcm, HmacDigest.Sha1, Keys(1), 0);
        Assert.IsType<OpenSslAeadPacketCipher>(created);
    }

    [Theory]
    [MemberData(nameof(CipherAndHeader))]
    public void Seals_what_the_bcl_seals_and_each_opens_the_others_packets(string cipherName, int headerLength)
    {
        var cipher = DataCipher.Find(cipherName)!;
        var keys = Keys(1);
        using var bcl = new AeadPacketCipher(cipher, keys, KeyMaterial.ServerToClient);
        using var native = new OpenSslAeadPacketCipher(Api, cipher, keys, KeyMaterial.ServerToClient);
        foreach (int size in Sizes)
        {
            var plaintext = Plaintext(size);
            uint packetId = (uint)(0x01000000 + size);
            var expected = Seal(bcl, headerLength, packetId, plaintext);
            var actual = Seal(native, headerLength, packetId, plaintext);
            Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(actual));

            // An empty payload opens in neither (AeadPacketCipher refuses a missing payload); anything else in both.
            Assert.Equal(size > 0, OpensTo(native, expected, headerLength, plaintext, packetId));
            Assert.Equal(size > 0, OpensTo(bcl, actual, headerLength, plaintext, packetId));
        }
    }

    [Theory]
    [MemberData(nameof(CipherAndHeader))]
    public void A_tampered_tag_or_ciphertext_is_rejected_and_leaves_no_plaintext(string cipherName, int headerLength)
    {
        var cipher = DataCipher.Find(cipherName)!;
        using var native = new OpenSslAeadPacketCipher(Api, cipher, Keys(2), KeyMaterial.ClientToServer);
        var plaintext = Plaintext(100);
        var packet = Seal(native, headerLength, 7, plaintext);
        int tagAt = headerLength + AeadPacketCipher.PacketIdSize;
        foreach (int index in new[] { tagAt, tagAt + AeadPacketCipher.TagSize - 1, packet.Length - 1 })
        {
            var damaged = (byte[])packet.Clone();
            damaged[index] ^= 0x01;
            var output = new byte[plaintext.Length];
            Assert.False(native.TryOpen(damaged, headerLength, output, out int length, out _), $"byte {index}");
            Assert.Equal(0, length);
            Assert.All(output, b => Assert.Equal(0, b));
        }
        // A failed open leaves the context usable.
        Assert.True(OpensTo(native, packet, headerLength, plaintext, 7));
    }

    [Theory]
    [MemberData(nameof(Ciphers))]
    public void Rekeying_one_context_between_two_keys_gives_each_keys_own_packets(string cipherName)
    {
        var cipher = DataCipher.Find(cipherName)!;
        var a = Keys(3);
        var b = Keys(4);
        using var bclA = new AeadPacketCipher(cipher, a, KeyMaterial.ServerToClient);
        using var bclB = new AeadPacketCipher(cipher, b, KeyMaterial.ServerToClient);
        using var native = new OpenSslAeadPacketCipher(Api, cipher, a, KeyMaterial.ServerToClient);
        var plaintext = Plaintext(16);
        Assert.NotEqual(Seal(bclA, 4, 1, plaintext), Seal(bclB, 4, 1, plaintext));
        // A, B, A, B: sealing and opening under one key, then the other, in the same context.
        for (int round = 0; round < 4; round++)
        {
            var (keys, bcl) = round % 2 == 0 ? (a, bclA) : (b, bclB);
            native.Rekey(cipher, keys, KeyMaterial.ServerToClient);
            uint packetId = (uint)(round + 1);
            Assert.Equal(Seal(bcl, 4, packetId, plaintext), Seal(native, 4, packetId, plaintext));
            Assert.True(OpensTo(native, Seal(bcl, 4, packetId + 100, plaintext), 4, plaintext, packetId + 100));
            var other = round % 2 == 0 ? bclB : bclA;
            Assert.False(native.TryOpen(Seal(other, 4, packetId, plaintext), 4, new byte[16], out _, out _));
        }
    }

    [Fact]
    public void Rekeying_to_another_cipher_gives_that_ciphers_packets()
    {
        var keys = Keys(5);
        using var native = new OpenSslAeadPacketCipher(Api, DataCipher.Aes256Gcm, keys, 0);
        var plaintext = Plaintext(100);
        foreach (var cipher in new[] { DataCipher.ChaCha20Poly1305, DataCipher.Aes128Gcm, DataCipher.Aes256Gcm, DataCipher.ChaCha20Poly1305 })
        {
            native.Rekey(cipher, keys, 0);
            using var bcl = new AeadPacketCipher(cipher, keys, 0);
            Assert.Same(cipher, native.Cipher);
            Assert.Equal(Seal(bcl, 4, 9, plaintext), Seal(native, 4, 9, plaintext));
        }
    }

    [Theory]
    [MemberData(nameof(Ciphers))]
    public void A_cache_miss_rekeys_the_evicted_context_instead_of_making_one(string cipherName)
    {
        var cipher = DataCipher.Find(cipherName)!;
        var owners = new[] { new KeysOwner(Keys(6)), new KeysOwner(Keys(7)) }; // the cache tells owners apart by their cache key
        using var cache = new PacketCipherCache(1); // one entry: every switch of owner is a miss
        IPacketCipher? first = null;
        var plaintext = Plaintext(16);
        for (int i = 0; i < 6; i++)
        {
            var keys = owners[i % 2].Value;
            var cached = cache.Get(owners[i % 2], KeyMaterial.ClientToServer, (k, slot) => PacketCiphers.Create(cipher, HmacDigest.Sha1, k.Value, slot, Api));
            first ??= cached;
            Assert.Same(first, cached);
            using var bcl = new AeadPacketCipher(cipher, keys, KeyMaterial.ClientToServer);
            Assert.Equal(Seal(bcl, 4, (uint)i + 1, plaintext), Seal(cached, 4, (uint)i + 1, plaintext));
        }
        Assert.Equal(6, cache.Created);
        Assert.IsType<OpenSslAeadPacketCipher>(first);
    }

    [Fact]
    public void A_cache_miss_allocates_nothing_once_warm()
    {
        var owners = new[] { new KeysOwner(Keys(8)), new KeysOwner(Keys(9)) };
        using var cache = new PacketCipherCache(1);
        var packet = new byte[DataPacketHeader.V2Size + AeadPacketCipher.Overhead + 16];
        var output = new byte[16];
        Func<KeysOwner, int, IPacketCipher> create = static (k, slot) => PacketCiphers.Create(DataCipher.Aes256Gcm, HmacDigest.Sha1, k.Value, slot, Api);
        void Misses(int count)
        {
            for (int i = 0; i < count; i++)
            {
                var cipher = cache.Get(owners[i & 1], 0, create);
                int length = cipher.Seal(packet, DataPacketHeader.V2Size, (uint)i + 1, output);
                if (!cipher.TryOpen(packet.AsSpan(0, length), DataPacketHeader.V2Size, output, out _, out _))
                    throw new InvalidOperationException("does not open");
            }
        }
        Misses(200);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Misses(1000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(1200, cache.Created);
    }

    [Fact]
    public void Without_libcrypto_the_factory_falls_back_to_the_bcl()
    {
        Assert.Null(LibCrypto.TryLoad("libfleetvpn-no-such-library.so.3"));
        // A library that loads but has none of the EVP symbols.
        Assert.Null(LibCrypto.TryLoad("libc.so.6"));
        foreach (var cipher in DataCipher.All)
        {
            using var fallback = PacketCiphers.Create(cipher, HmacDigest.Sha1, Keys(10), 0, api: null);
            Assert.IsType<AeadPacketCipher>(fallback);
            using var native = PacketCiphers.Create(cipher, HmacDigest.Sha1, Keys(10), 0, Api);
            Assert.IsType<OpenSslAeadPacketCipher>(native);
            Assert.Equal(Seal(fallback, 4, 3, Plaintext(100)), Seal(native, 4, 3, Plaintext(100)));
        }
        using var cbc = PacketCiphers.Create(DataCipher.Aes256Cbc, HmacDigest.Sha256, Keys(10), 0);
        Assert.IsType<CbcHmacPacketCipher>(cbc);
    }

    [Fact]
    public void A_fallback_miss_frees_the_evicted_openssl_context_rather_than_reusing_it()
    {
        using var cache = new PacketCipherCache(1);
        var a = new KeysOwner(Keys(11));
        var b = new KeysOwner(Keys(12));
        var native = cache.Get(a, 0, (k, slot) => PacketCiphers.Create(DataCipher.Aes256Gcm, HmacDigest.Sha1, k.Value, slot, Api));
        var bcl = cache.Get(b, 0, (k, slot) => PacketCiphers.Create(DataCipher.Aes256Gcm, HmacDigest.Sha1, k.Value, slot, api: null));
        Assert.IsType<AeadPacketCipher>(bcl);
        Assert.Throws<ObjectDisposedException>(() => native.Seal(new byte[64], 4, 1, Plaintext(16)));
    }

    [Fact]
    public void Seals_the_captured_openvpn_packet_and_opens_it()
    {
        var v = FixtureFiles.PacketVector("DATA_V2 AES-256-GCM");
        var key2 = new KeyMaterial(FixtureFiles.Hex(FixtureFiles.PrfVector("tls-crypt, key-id 0")["key2_hex"]));
        using var native = new OpenSslAeadPacketCipher(Api, DataCipher.Aes256Gcm, key2, KeyMaterial.ClientToServer);
        var plaintext = FixtureFiles.Hex(v["plaintext_hex"]);
        var captured = FixtureFiles.Hex(v["udp_payload_hex"]);
        var packet = new byte[captured.Length];
        DataPacketHeader.WriteV2(packet, 0, 0);
        native.Seal(packet, DataPacketHeader.V2Size, 2, plaintext);
        Assert.Equal(Convert.ToHexString(captured), Convert.ToHexString(packet));
        Assert.True(OpensTo(native, captured, DataPacketHeader.V2Size, plaintext, 2));
    }

    [Fact]
    public void Seals_in_place_as_it_seals_apart()
    {
        using var native = new OpenSslAeadPacketCipher(Api, DataCipher.ChaCha20Poly1305, Keys(13), 0);
        var plaintext = Plaintext(100);
        var apart = Seal(native, 4, 5, plaintext);
        var inPlace = new byte[apart.Length];
        DataPacketHeader.WriteV2(inPlace, 1, 0x123456);
        plaintext.CopyTo(inPlace, 4 + AeadPacketCipher.Overhead);
        native.Seal(inPlace, 4, 5, inPlace.AsSpan(4 + AeadPacketCipher.Overhead));
        Assert.Equal(apart, inPlace);
        Assert.Throws<ArgumentException>(() => native.Seal(inPlace, 4, 6, inPlace.AsSpan(4 + AeadPacketCipher.Overhead - 1, 50)));
    }

    [Fact]
    public void A_disposed_context_is_never_used()
    {
        var native = new OpenSslAeadPacketCipher(Api, DataCipher.Aes256Gcm, Keys(14), 0);
        native.Dispose();
        native.Dispose();
        Assert.Throws<ObjectDisposedException>(() => native.Seal(new byte[64], 4, 1, Plaintext(16)));
        Assert.Throws<ObjectDisposedException>(() => native.TryOpen(new byte[64], 4, new byte[64], out _, out _));
        Assert.Throws<ObjectDisposedException>(() => native.Rekey(DataCipher.Aes256Gcm, Keys(14), 0));
    }

    private static KeyMaterial Keys(int seed) =>
        new(Enumerable.Range(0, KeyMaterial.Size).Select(i => (byte)(i * 13 + seed * 101)).ToArray());

    private static byte[] Plaintext(int size) => Enumerable.Range(0, size).Select(i => (byte)(i * 31 + 7)).ToArray();

    private static byte[] Seal(IPacketCipher cipher, int headerLength, uint packetId, byte[] plaintext)
    {
        var packet = new byte[headerLength + AeadPacketCipher.Overhead + plaintext.Length];
        if (headerLength == DataPacketHeader.V2Size) DataPacketHeader.WriteV2(packet, 1, 0x123456);
        else packet[0] = PacketByte0.Make(Opcode.DataV1, 1);
        Assert.Equal(packet.Length, cipher.Seal(packet, headerLength, packetId, plaintext));
        return packet;
    }

    private static bool OpensTo(IPacketCipher cipher, byte[] packet, int headerLength, byte[] plaintext, uint packetId)
    {
        var output = new byte[plaintext.Length + 8];
        if (!cipher.TryOpen(packet, headerLength, output, out int length, out uint id)) return false;
        Assert.Equal(packetId, id);
        Assert.Equal(plaintext, output[..length]);
        return true;
    }
}
