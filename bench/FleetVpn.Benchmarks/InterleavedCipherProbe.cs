using System.Runtime.CompilerServices;
using System.Diagnostics;
using System.Security.Cryptography;
using FleetVpn.Protocol.DataChannel;
using FleetVpn.Protocol.Keys;
using FleetVpn.Protocol.Wire;

namespace FleetVpn.Benchmarks;

/// <summary>
/// The cache-miss comparison of <see cref="PacketCipherBenchmarks"/> run round-robin (`-- interleaved`): each round
/// times every variant for a batch in turn, and the fastest round counts. On this shared 2-core machine the load of
/// other work drifts within a BenchmarkDotNet run, which compares variants measured minutes apart; interleaved,
/// each variant sees the same load, and the minimum is what the CPU does when it gets the core.
/// </summary>
public static class InterleavedCipherProbe
{
    private const int Rounds = 40;
    private const int Batch = 5000;

    public static void Run()
    {
        Console.WriteLine($"ns per packet, fastest of {Rounds} interleaved rounds of {Batch} packets (median in brackets)");
        foreach (var cipher in new[] { DataCipher.Aes256Gcm, DataCipher.ChaCha20Poly1305 })
            foreach (int size in new[] { 16, 100, 1400 })
                Measure(cipher, size);
    }

    private static void Measure(DataCipher cipher, int size)
    {
        var api = LibCrypto.Shared ?? throw new InvalidOperationException("libcrypto.so.3 did not load");
        var keys = new KeyMaterial(RandomNumberGenerator.GetBytes(KeyMaterial.Size));
        var other = new KeyMaterial(RandomNumberGenerator.GetBytes(KeyMaterial.Size));
        var plaintext = RandomNumberGenerator.GetBytes(size);
        var packet = new byte[DataPacketHeader.V2Size + AeadPacketCipher.Overhead + size];
        DataPacketHeader.WriteV2(packet, 0, 1);
        var received = new byte[packet.Length];
        var receivedOther = new byte[packet.Length];
        DataPacketHeader.WriteV2(received, 0, 1);
        DataPacketHeader.WriteV2(receivedOther, 0, 1);
        using (var client = new AeadPacketCipher(cipher, keys, KeyMaterial.ClientToServer)) client.Seal(received, 4, 1, plaintext);
        using (var client = new AeadPacketCipher(cipher, other, KeyMaterial.ClientToServer)) client.Seal(receivedOther, 4, 1, plaintext);
        var output = new byte[size];
        using var bclSealer = new AeadPacketCipher(cipher, keys, KeyMaterial.ServerToClient);
        using var bclOpener = new AeadPacketCipher(cipher, keys, KeyMaterial.ClientToServer);
        using var evpSealer = new OpenSslAeadPacketCipher(api, cipher, keys, KeyMaterial.ServerToClient);
        using var evpOpener = new OpenSslAeadPacketCipher(api, cipher, keys, KeyMaterial.ClientToServer);
        using var rekeyed = new OpenSslAeadPacketCipher(api, cipher, keys, KeyMaterial.ServerToClient);
        using var missCache = new PacketCipherCache(1);
        // The cache tells owners apart by reference: the keys boxed, as a session's DataChannelKeys hold them.
        var keysOwner = new KeysOwner(keys);
        var otherOwner = new KeysOwner(other);
        Func<KeysOwner, int, IPacketCipher> create = (k, slot) => PacketCiphers.Create(cipher, HmacDigest.Sha256, k.Value, slot);
        uint id = 0;
        int turn = 0;
        var variants = new (string Name, Func<int> Run)[]
        {
            ("seal cached BCL", () => bclSealer.Seal(packet, 4, ++id, plaintext)),
            ("seal cached EVP", () => evpSealer.Seal(packet, 4, ++id, plaintext)),
            ("seal fresh BCL", () =>
            {
                using var fresh = new AeadPacketCipher(cipher, keys, KeyMaterial.ServerToClient);
                return fresh.Seal(packet, 4, ++id, plaintext);
            }),
            ("seal re-keyed EVP", () =>
            {
                rekeyed.Rekey(cipher, (++turn & 1) == 0 ? keys : other, KeyMaterial.ServerToClient);
                return rekeyed.Seal(packet, 4, ++id, plaintext);
            }),
            ("seal cache miss", () => missCache.Get((++turn & 1) == 0 ? keysOwner : otherOwner, KeyMaterial.ServerToClient, create).Seal(packet, 4, ++id, plaintext)),
            ("open cached BCL", () => bclOpener.TryOpen(received, 4, output, out int n, out _) ? n : -1),
            ("open cached EVP", () => evpOpener.TryOpen(received, 4, output, out int n, out _) ? n : -1),
            ("open fresh BCL", () =>
            {
                using var fresh = new AeadPacketCipher(cipher, keys, KeyMaterial.ClientToServer);
                return fresh.TryOpen(received, 4, output, out int n, out _) ? n : -1;
            }),
            ("open re-keyed EVP", () =>
            {
                bool isOther = (++turn & 1) != 0;
                rekeyed.Rekey(cipher, isOther ? other : keys, KeyMaterial.ClientToServer);
                return rekeyed.TryOpen(isOther ? receivedOther : received, 4, output, out int n, out _) ? n : -1;
            }),
        };
        var times = new double[variants.Length][];
        for (int v = 0; v < variants.Length; v++) times[v] = new double[Rounds];
        for (int round = 0; round < Rounds; round++)
        {
            for (int v = 0; v < variants.Length; v++)
            {
                var run = variants[v].Run;
                long start = Stopwatch.GetTimestamp();
                for (int i = 0; i < Batch; i++)
                    if (run() < 0) throw new InvalidOperationException($"{variants[v].Name}: the packet does not open");
                times[v][round] = Stopwatch.GetElapsedTime(start).TotalNanoseconds / Batch;
            }
        }
        Console.WriteLine($"{cipher.Name} {size} B");
        for (int v = 0; v < variants.Length; v++)
        {
            Array.Sort(times[v]);
            Console.WriteLine($"  {variants[v].Name,-18} {times[v][0],7:0} ({times[v][Rounds / 2]:0})");
        }
    }
}
