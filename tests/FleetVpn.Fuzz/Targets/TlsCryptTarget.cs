using FleetVpn.Protocol.Wrapping;

namespace FleetVpn.Fuzz.Targets;

/// <summary>A control datagram through the server's tls-crypt check and decryption (tc.key), then the packet parser.</summary>
public sealed class TlsCryptTarget : IFuzzTarget
{
    private readonly TlsCryptWrapper _wrapper = new(FuzzKeys.Static("tc.key"), isServer: true);
    private readonly byte[] _unwrapped = new byte[65536 + 8];

    public string Name => "tls-crypt";

    public void Run(ReadOnlySpan<byte> input) => WrappedControl.Unwrap(_wrapper, input, _unwrapped);
}
