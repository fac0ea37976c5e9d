using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using FleetVpn.Protocol.DataChannel;
using FleetVpn.Protocol.Keys;
using FleetVpn.Protocol.Wire;

namespace FleetVpn.Benchmarks;

/// <summary>
/// Seal and open of one P_DATA_V2 packet. The server's paths: through the thread's <see cref="PacketCipherCache"/>
/// when the peer's entry is cached (*Cached, the busy-peer path, which must allocate nothing) and when every packet
/// misses it (SealCacheMiss: an idle peer's keepalive, whose entry another peer evicted). And the pieces a miss is
/// made of: a BCL context kept across packets (*CachedBcl), a BCL context made and freed per packet (*FreshBclContext,
/// the miss before contexts were re-keyed) and one OpenSSL context re-keyed per packet, alternating two keys
/// (*Rekeyed, the miss now). This instance plays the key owner, as the server's DataChannelKeys does.
/// </summary>
[MemoryDiagnoser]
public class PacketCipherBenchmarks : ICipherCacheOwner
{
    /// <summary>The benchmark itself owns the cached contexts of <see cref="SealCached"/> and <see cref="OpenCached"/>.</summary>
    public int CipherCacheKey { get; } = ICipherCacheOwner.NewCipherCacheKey();

    private const int HeaderLength = DataPacketHeader.V2Size;

    private static readonly Func<PacketCipherBenchmarks, int, IPacketCipher> CreateForCache = static (owner, slot) => owner.Create(slot);

    private KeyMaterial _keys;
    private KeyMaterial _otherKeys;
    // The cache tells owners apart by reference: the two peers' keys boxed, as a session's DataChannelKeys hold them.
    private KeysOwner _keysOwner = null!;
    private KeysOwner _otherKeysOwner = null!;
    private DataCipher _cipher = null!;
    private byte[] _plaintext = null!;
    private byte[] _sealBuffer = null!;
    private byte[] _received = null!;
    private byte[] _receivedOther = null!;
    private byte[] _output = null!;
    private AeadPacketCipher _bclSealer = null!;
    private AeadPacketCipher _bclOpener = null!;
    private OpenSslAeadPacketCipher _rekeyed = null!;
    private PacketCipherCache _missCache = null!;
    private Func<KeysOwner, int, IPacketCipher> _createForMiss = null!;
    private uint _packetId;
    private int _turn;

    [Params("AES-256-GCM", "CHACHA20-POLY1305")]
    public string Cipher { get; set; } = "AES-256-GCM";

    /// <summary>A keepalive ping (16 bytes), a small packet (ACK, sensor reading) and a full tunnel MTU's worth.</summary>
    [Params(16, 100, 1400)]
    public int PayloadBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _cipher = DataCipher.Find(Cipher) ?? throw new InvalidOperationException($"unknown cipher {Cipher}");
        var api = LibCrypto.Shared ?? throw new InvalidOperationException("libcrypto.so.3 did not load: no OpenSSL path to measure");
        _keys = new KeyMaterial(RandomNumberGenerator.GetBytes(KeyMaterial.Size));
        _otherKeys = new KeyMaterial(RandomNumberGenerator.GetBytes(KeyMaterial.Size));
        _keysOwner = new KeysOwner(_keys);
        _otherKeysOwner = new KeysOwner(_otherKeys);
        _plaintext = RandomNumberGenerator.GetBytes(PayloadBytes);
        _sealBuffer = new byte[HeaderLength + AeadPacketCipher.Overhead + PayloadBytes];
        DataPacketHeader.WriteV2(_sealBuffer, keyId: 0, peerId: 1);
        _bclSealer = new AeadPacketCipher(_cipher, _keys, KeyMaterial.ServerToClient);
        _bclOpener = new AeadPacketCipher(_cipher, _keys, KeyMaterial.ClientToServer);
        _rekeyed = new OpenSslAeadPacketCipher(api, _cipher, _keys, KeyMaterial.ServerToClient);
        _missCache = new PacketCipherCache(1);
        _createForMiss = (keys, slot) => PacketCiphers.Create(_cipher, HmacDigest.Sha256, keys.Value, slot);

        // What the server receives: packets the clients sealed with their client-to-server keys.
        _received = SealedByClient(_keys);
        _receivedOther = SealedByClient(_otherKeys);
        _output = new byte[_received.Length];
        if (OpenCached() != PayloadBytes || !_output.AsSpan(0, PayloadBytes).SequenceEqual(_plaintext))
            throw new InvalidOperationException("the sealed packet does not open");
        if (OpenRekeyed() != PayloadBytes || OpenRekeyed() != PayloadBytes || OpenFreshBclContext() != PayloadBytes)
            throw new InvalidOperationException("the sealed packets do not open after a re-key");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        PacketCipherCache.Current.Dispose();
        _missCache.Dispose();
        _bclSealer.Dispose();
        _bclOpener.Dispose();
        _rekeyed.Dispose();
    }

    [Benchmark(Baseline = true)]
    public int SealCachedBcl() => _bclSealer.Seal(_sealBuffer, HeaderLength, ++_packetId, _plaintext);

    [Benchmark]
    public int OpenCachedBcl() => _bclOpener.TryOpen(_received, HeaderLength, _output, out int length, out _) ? length : -1;

    [Benchmark]
    public int SealCached() =>
        PacketCipherCache.Current.Get(this, KeyMaterial.ServerToClient, CreateForCache).Seal(_sealBuffer, HeaderLength, ++_packetId, _plaintext);

    [Benchmark]
    public int OpenCached()
    {
        var cipher = PacketCipherCache.Current.Get(this, KeyMaterial.ClientToServer, CreateForCache);
        return cipher.TryOpen(_received, HeaderLength, _output, out int length, out _) ? length : -1;
    }

    [Benchmark]
    public int SealFreshBclContext()
    {
        using var cipher = new AeadPacketCipher(_cipher, _keys, KeyMaterial.ServerToClient);
        return cipher.Seal(_sealBuffer, HeaderLength, ++_packetId, _plaintext);
    }

    [Benchmark]
    public int OpenFreshBclContext()
    {
        using var cipher = new AeadPacketCipher(_cipher, _keys, KeyMaterial.ClientToServer);
        return cipher.TryOpen(_received, HeaderLength, _output, out int length, out _) ? length : -1;
    }

    [Benchmark]
    public int SealRekeyed()
    {
        _rekeyed.Rekey(_cipher, (++_turn & 1) == 0 ? _keys : _otherKeys, KeyMaterial.ServerToClient);
        return _rekeyed.Seal(_sealBuffer, HeaderLength, ++_packetId, _plaintext);
    }

    [Benchmark]
    public int OpenRekeyed()
    {
        bool other = (++_turn & 1) != 0;
        _rekeyed.Rekey(_cipher, other ? _otherKeys : _keys, KeyMaterial.ClientToServer);
        return _rekeyed.TryOpen(other ? _receivedOther : _received, HeaderLength, _output, out int length, out _) ? length : -1;
    }

    /// <summary>Two peers sharing a one-entry cache: every packet misses, as an idle fleet's keepalives do.</summary>
    [Benchmark]
    public int SealCacheMiss() =>
        _missCache.Get((++_turn & 1) == 0 ? _keysOwner : _otherKeysOwner, KeyMaterial.ServerToClient, _createForMiss)
            .Seal(_sealBuffer, HeaderLength, ++_packetId, _plaintext);

    private IPacketCipher Create(int slot) => PacketCiphers.Create(_cipher, HmacDigest.Sha256, _keys, slot);

    private byte[] SealedByClient(KeyMaterial keys)
    {
        using var client = new AeadPacketCipher(_cipher, keys, KeyMaterial.ClientToServer);
        var packet = new byte[_sealBuffer.Length];
        DataPacketHeader.WriteV2(packet, keyId: 0, peerId: 1);
        client.Seal(packet, HeaderLength, 1, _plaintext);
        return packet;
    }
}
