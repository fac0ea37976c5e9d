using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using FleetVpn.Protocol.DataChannel;
using FleetVpn.Protocol.Keys;
using FleetVpn.Protocol.Wire;

namespace FleetVpn.Benchmarks;

/// <summary>
/// Seal and open of one P_DATA_V2 packet, as the server does it: through the thread's <see cref="PacketCipherCache"/>
/// (the busy-peer path, which must allocate nothing) and with a context made and freed per packet (what an idle
/// peer's keepalive pays after its cache entry was evicted). This instance plays the key owner, as the server's
/// DataChannelKeys does.
/// </summary>
[MemoryDiagnoser]
public class PacketCipherBenchmarks
{
    private const int HeaderLength = DataPacketHeader.V2Size;

    private static readonly Func<PacketCipherBenchmarks, int, IPacketCipher> CreateForCache = static (owner, slot) => owner.Create(slot);

    private KeyMaterial _keys = null!;
    private DataCipher _cipher = null!;
    private byte[] _plaintext = null!;
    private byte[] _sealBuffer = null!;
    private byte[] _received = null!;
    private byte[] _output = null!;
    private uint _packetId;

    [Params("AES-256-GCM", "CHACHA20-POLY1305")]
    public string Cipher { get; set; } = "AES-256-GCM";

    /// <summary>A small packet (keepalive, ACK, sensor reading) and a full tunnel MTU's worth.</summary>
    [Params(100, 1400)]
    public int PayloadBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _cipher = DataCipher.Find(Cipher) ?? throw new InvalidOperationException($"unknown cipher {Cipher}");
        _keys = new KeyMaterial(RandomNumberGenerator.GetBytes(KeyMaterial.Size));
        _plaintext = RandomNumberGenerator.GetBytes(PayloadBytes);
        _sealBuffer = new byte[HeaderLength + AeadPacketCipher.Overhead + PayloadBytes];
        DataPacketHeader.WriteV2(_sealBuffer, keyId: 0, peerId: 1);

        // What the server receives: a packet the client sealed with the client-to-server keys.
        using var client = Create(KeyMaterial.ClientToServer);
        _received = new byte[_sealBuffer.Length];
        DataPacketHeader.WriteV2(_received, keyId: 0, peerId: 1);
        client.Seal(_received, HeaderLength, 1, _plaintext);
        _output = new byte[_received.Length];
        if (OpenCached() != PayloadBytes || !_output.AsSpan(0, PayloadBytes).SequenceEqual(_plaintext))
            throw new InvalidOperationException("the sealed packet does not open");
    }

    [GlobalCleanup]
    public void Cleanup() => PacketCipherCache.Current.Dispose();

    [Benchmark(Baseline = true)]
    public int SealCached() =>
        PacketCipherCache.Current.Get(this, KeyMaterial.ServerToClient, CreateForCache).Seal(_sealBuffer, HeaderLength, ++_packetId, _plaintext);

    [Benchmark]
    public int OpenCached()
    {
        var cipher = PacketCipherCache.Current.Get(this, KeyMaterial.ClientToServer, CreateForCache);
        return cipher.TryOpen(_received, HeaderLength, _output, out int length, out _) ? length : -1;
    }

    [Benchmark]
    public int SealFreshContext()
    {
        using var cipher = Create(KeyMaterial.ServerToClient);
        return cipher.Seal(_sealBuffer, HeaderLength, ++_packetId, _plaintext);
    }

    [Benchmark]
    public int OpenFreshContext()
    {
        using var cipher = Create(KeyMaterial.ClientToServer);
        return cipher.TryOpen(_received, HeaderLength, _output, out int length, out _) ? length : -1;
    }

    private IPacketCipher Create(int slot) => PacketCiphers.Create(_cipher, HmacDigest.Sha256, _keys, slot);
}
