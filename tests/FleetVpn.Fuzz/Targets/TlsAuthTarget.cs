using FleetVpn.Protocol.DataChannel;
using FleetVpn.Protocol.Wrapping;

namespace FleetVpn.Fuzz.Targets;

/// <summary>A control datagram through the server's tls-auth check (ta.key, key-direction 0, HMAC-SHA1), then the packet parser.</summary>
public sealed class TlsAuthTarget : IFuzzTarget
{
    private readonly TlsAuthWrapper _wrapper = new(FuzzKeys.Static("ta.key"), KeyDirection.Normal, HmacDigest.Sha1);
    private readonly byte[] _unwrapped = new byte[65536 + 8];

    public string Name => "tls-auth";

    public void Run(ReadOnlySpan<byte> input) => WrappedControl.Unwrap(_wrapper, input, _unwrapped);
}
