using FleetVpn.Protocol.Wrapping;

namespace FleetVpn.Fuzz.Targets;

/// <summary>What the dispatcher does with a control datagram: unwrap into its buffer, then parse.</summary>
public static class WrappedControl
{
    public static void Unwrap(IControlWrapper wrapper, ReadOnlySpan<byte> datagram, byte[] unwrapped)
    {
        if (!wrapper.TryUnwrap(datagram, unwrapped, out int length, out _, out _)) return;
        if ((uint)length > (uint)unwrapped.Length || length > datagram.Length)
            throw new FuzzInvariantException($"unwrapped length {length} for a datagram of {datagram.Length} bytes");
        ControlPacketCheck.ParseAndRewrite(unwrapped.AsSpan(0, length));
    }
}
