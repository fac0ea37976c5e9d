using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using FleetVpn.Protocol.Wire;
using FleetVpn.Protocol.Wrapping;

namespace FleetVpn.Benchmarks;

/// <summary>
/// What the server pays for a tls-crypt-v2 P_CONTROL_HARD_RESET_CLIENT_V3 before it keeps anything: a forged WKc
/// (rejected at its tag), and a genuine one on the stateless path (unwrap WKc, make the Kc wrapper, unwrap the
/// reset, wrap the cookie reply, drop the wrapper), as PacketDispatcher does it.
/// </summary>
[MemoryDiagnoser]
public class TlsCryptV2Benchmarks
{
    private TlsCryptV2ServerKey _serverKey = null!;
    private byte[] _datagram = null!;
    private byte[] _forgedKey = null!;
    private int _packetLength;
    private readonly byte[] _clientKey = new byte[TlsCryptV2ServerKey.ClientKeySize];
    private readonly byte[] _metadata = new byte[TlsCryptV2ServerKey.MaxMetadataSize];
    private readonly byte[] _unwrapped = new byte[2048];
    private readonly byte[] _reply = new byte[256];

    [GlobalSetup]
    public void Setup()
    {
        _serverKey = TlsCryptV2ServerKey.Parse(TlsCryptV2ServerKey.GeneratePem());
        var client = TlsCryptV2ClientKey.Create(_serverKey, TlsCryptV2Metadata.Timestamp(1_800_000_000));
        using var clientWrapper = new TlsCryptWrapper(client.Key, isServer: false);
        Span<byte> reset = stackalloc byte[ControlPacket.GetSize(0, true, 0)];
        ControlPacket.Write(reset, Opcode.ControlHardResetClientV3, 0, new SessionId(0x1122334455667788), default, default, 0, default);
        var wrapped = new byte[reset.Length + clientWrapper.Overhead];
        _packetLength = clientWrapper.Wrap(reset, 0x0F000001, 1_800_000_000, wrapped);
        _datagram = [.. wrapped.AsSpan(0, _packetLength), .. client.WrappedKey];
        _forgedKey = client.WrappedKey.ToArray();
        _forgedKey[40] ^= 1;
        if (StatelessReset() <= 0) throw new InvalidOperationException("the V3 reset does not unwrap");
        if (ForgedKey()) throw new InvalidOperationException("the forged WKc unwrapped");
    }

    [GlobalCleanup]
    public void Cleanup() => _serverKey.Dispose();

    [Benchmark]
    public bool ForgedKey() => _serverKey.TryUnwrapClientKey(_forgedKey, _clientKey, _metadata, out _);

    [Benchmark(Baseline = true)]
    public int StatelessReset()
    {
        if (!TlsCryptV2Packet.TrySplit(_datagram, out int packetLength)) return -1;
        if (!_serverKey.TryUnwrapClientKey(_datagram.AsSpan(packetLength), _clientKey, _metadata, out _)) return -2;
        var compact = TlsCryptWrapper.CompactKey(_clientKey, isServer: true);
        CryptographicOperations.ZeroMemory(_clientKey);
        using var wrapper = TlsCryptWrapper.FromCompactKey(compact, isServer: true);
        if (!wrapper.TryUnwrap(_datagram.AsSpan(0, packetLength), _unwrapped, out int length, out _, out _)) return -3;
        return wrapper.Wrap(_unwrapped.AsSpan(0, length), 1, 1_800_000_000, _reply);
    }
}
