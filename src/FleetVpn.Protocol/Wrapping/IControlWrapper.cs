namespace FleetVpn.Protocol.Wrapping;

/// <summary>
/// Control-channel wrapping (§3: <c>tls_wrap_control()</c>/<c>read_control_auth()</c> in ssl_pkt.c):
/// converts between the plain §1.3 control packet (<c>op|kid, own sid, ACK block, [msg-pid], payload</c>,
/// as <see cref="Wire.ControlPacket"/> parses and writes it) and the bytes on the wire.
/// Implementations are immutable after construction and safe to share between threads; the replay
/// state (<see cref="PacketIdSender"/>, <see cref="TimedReplayWindow"/>) belongs to the caller's session.
/// </summary>
public interface IControlWrapper : IDisposable
{
    /// <summary>Bytes a wrapped packet is longer than the unwrapped one.</summary>
    int Overhead { get; }

    /// <summary>Whether wrapped packets carry an authenticated replay packet-id (false only for <see cref="NoWrapper"/>).</summary>
    bool HasReplayId { get; }

    /// <summary>
    /// Authenticates <paramref name="wrapped"/> (constant-time comparison) and writes the plain control
    /// packet to <paramref name="unwrapped"/>, which must not overlap <paramref name="wrapped"/> and needs
    /// <c>wrapped.Length - Overhead</c> bytes (it is also used as scratch space when it is larger).
    /// Does not check replay: the caller passes <paramref name="replayId"/>/<paramref name="replayTime"/> to
    /// its session's <see cref="TimedReplayWindow"/>. False for anything malformed or unauthentic; never throws
    /// for bad input.
    /// </summary>
    bool TryUnwrap(ReadOnlySpan<byte> wrapped, Span<byte> unwrapped, out int length, out uint replayId, out uint replayTime);

    /// <summary>
    /// Wraps a plain control packet (at least op|kid and own session id) into <paramref name="wrapped"/>
    /// (not overlapping, at least <c>unwrapped.Length + Overhead</c> bytes); returns the wrapped length.
    /// </summary>
    int Wrap(ReadOnlySpan<byte> unwrapped, uint replayId, uint replayTime, Span<byte> wrapped);
}
