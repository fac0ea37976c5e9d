using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using FleetVpn.Protocol.DataChannel;
using FleetVpn.Protocol.Wire;
using FleetVpn.Protocol.Wrapping;

namespace FleetVpn.Benchmarks;

/// <summary>
/// What the server pays to authenticate one control packet before any session state is touched: tls-crypt unwrap
/// (AES-256-CTR + HMAC-SHA256; the reconnect-storm path) and, for comparison, tls-auth (HMAC-SHA256).
/// </summary>
[MemoryDiagnoser]
public class ControlUnwrapBenchmarks
{
    private TlsCryptWrapper _tlsCryptServer = null!;
    private TlsAuthWrapper _tlsAuthServer = null!;
    private byte[] _tlsCryptPacket = null!;
    private byte[] _tlsAuthPacket = null!;
    private byte[] _unwrapped = null!;

    /// <summary>Unwrapped control packet: a hard reset (op|kid, session id, empty ACK block, message packet-id) and a full TLS record at tls-mtu 1250.</summary>
    [Params(14, 1250)]
    public int ControlBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var key = new StaticKey(RandomNumberGenerator.GetBytes(StaticKey.Size));
        var control = RandomNumberGenerator.GetBytes(ControlBytes);
        control[0] = PacketByte0.Make(Opcode.ControlHardResetClientV2, 0);

        using var tlsCryptClient = new TlsCryptWrapper(key, isServer: false);
        _tlsCryptServer = new TlsCryptWrapper(key, isServer: true);
        _tlsCryptPacket = new byte[ControlBytes + tlsCryptClient.Overhead];
        tlsCryptClient.Wrap(control, 1, 1_700_000_000, _tlsCryptPacket);

        using var tlsAuthClient = new TlsAuthWrapper(key, KeyDirection.Inverse, HmacDigest.Sha256);
        _tlsAuthServer = new TlsAuthWrapper(key, KeyDirection.Normal, HmacDigest.Sha256);
        _tlsAuthPacket = new byte[ControlBytes + tlsAuthClient.Overhead];
        tlsAuthClient.Wrap(control, 1, 1_700_000_000, _tlsAuthPacket);

        _unwrapped = new byte[2048];
        if (TlsCryptUnwrap() != ControlBytes || !_unwrapped.AsSpan(0, ControlBytes).SequenceEqual(control))
            throw new InvalidOperationException("tls-crypt: the wrapped packet does not unwrap");
        if (TlsAuthUnwrap() != ControlBytes || !_unwrapped.AsSpan(0, ControlBytes).SequenceEqual(control))
            throw new InvalidOperationException("tls-auth: the wrapped packet does not unwrap");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _tlsCryptServer.Dispose();
        _tlsAuthServer.Dispose();
    }

    [Benchmark(Baseline = true)]
    public int TlsCryptUnwrap() =>
        _tlsCryptServer.TryUnwrap(_tlsCryptPacket, _unwrapped, out int length, out _, out _) ? length : -1;

    [Benchmark]
    public int TlsAuthUnwrap() =>
        _tlsAuthServer.TryUnwrap(_tlsAuthPacket, _unwrapped, out int length, out _, out _) ? length : -1;
}
