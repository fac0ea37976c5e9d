using System.Buffers;
using System.Security.Cryptography;
using FleetVpn.Protocol.DataChannel;
using FleetVpn.Protocol.Wire;

namespace FleetVpn.Protocol.Wrapping;

/// <summary>
/// tls-auth (§3.3): an HMAC of <c>--auth</c> and the replay packet-id inserted after the own session id:
/// <code>
/// wire:       op|kid (1) | own sid (8) | HMAC (H) | replay id (4) | time (4) | ACK block, [msg-pid], payload
/// HMAC input: replay id | time | op|kid | own sid | ACK block, [msg-pid], payload
/// </code>
/// (<c>swap_hmac()</c>, <c>tls_wrap_control()</c>, <c>read_control_auth()</c> in ssl_pkt.c). The HMAC key is
/// keys[slot].hmac[0:H] with the slots of the key direction (§3.1). Immutable, thread-safe, allocation-free.
/// </summary>
public sealed class TlsAuthWrapper : IControlWrapper
{
    private const int OpSidSize = 1 + SessionId.Size;

    private readonly byte[] _sendKey;
    private readonly byte[] _receiveKey;

    public TlsAuthWrapper(StaticKey key, KeyDirection direction, HmacDigest digest)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(digest);
        Digest = digest;
        Direction = direction;
        _sendKey = key.Hmac(StaticKey.SendSlot(direction))[..digest.Length].ToArray();
        _receiveKey = key.Hmac(StaticKey.ReceiveSlot(direction))[..digest.Length].ToArray();
    }

    public HmacDigest Digest { get; }

    public KeyDirection Direction { get; }

    public int Overhead => Digest.Length + ReplayPacketId.Size;

    public bool HasReplayId => true;

    public bool TryUnwrap(ReadOnlySpan<byte> wrapped, Span<byte> unwrapped, out int length, out uint replayId, out uint replayTime)
    {
        length = 0;
        replayId = replayTime = 0;
        int h = Digest.Length;
        if (wrapped.Length < OpSidSize + h + ReplayPacketId.Size) return false;
        int resultLength = wrapped.Length - h - ReplayPacketId.Size;
        if (unwrapped.Length < resultLength) return false;

        var mac = wrapped.Slice(OpSidSize, h);
        var replay = wrapped.Slice(OpSidSize + h, ReplayPacketId.Size);
        var rest = wrapped[(OpSidSize + h + ReplayPacketId.Size)..];
        int inputLength = wrapped.Length - h;
        byte[]? rented = null;
        Span<byte> input = unwrapped.Length >= inputLength
            ? unwrapped[..inputLength]
            : (rented = ArrayPool<byte>.Shared.Rent(inputLength)).AsSpan(0, inputLength);
        bool ok;
        try
        {
            replay.CopyTo(input);
            wrapped[..OpSidSize].CopyTo(input[ReplayPacketId.Size..]);
            rest.CopyTo(input[(ReplayPacketId.Size + OpSidSize)..]);
            Span<byte> computed = stackalloc byte[HmacDigest.MaxLength];
            Digest.Compute(_receiveKey, input, computed);
            ok = CryptographicOperations.FixedTimeEquals(computed[..h], mac);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
        if (!ok) return false;

        wrapped[..OpSidSize].CopyTo(unwrapped);
        rest.CopyTo(unwrapped[OpSidSize..]);
        var id = ReplayPacketId.Read(replay);
        replayId = id.Id;
        replayTime = id.Time;
        length = resultLength;
        return true;
    }

    public int Wrap(ReadOnlySpan<byte> unwrapped, uint replayId, uint replayTime, Span<byte> wrapped)
    {
        if (unwrapped.Length < OpSidSize) throw new ArgumentException("a control packet starts with op|kid and the session id", nameof(unwrapped));
        int h = Digest.Length;
        int total = unwrapped.Length + h + ReplayPacketId.Size;
        if (wrapped.Length < total) throw new ArgumentException("wrapped buffer too small", nameof(wrapped));

        // Lay the HMAC input out at wrapped[h..total] (replay ‖ op|sid ‖ rest), so that the rest is
        // already in its final place, then move op|sid and the replay field to the wire positions.
        var input = wrapped[h..total];
        new ReplayPacketId(replayId, replayTime).Write(input);
        unwrapped.CopyTo(input[ReplayPacketId.Size..]);
        Span<byte> mac = stackalloc byte[HmacDigest.MaxLength];
        Digest.Compute(_sendKey, input, mac);
        unwrapped[..OpSidSize].CopyTo(wrapped);
        new ReplayPacketId(replayId, replayTime).Write(wrapped[(OpSidSize + h)..]);
        mac[..h].CopyTo(wrapped[OpSidSize..]);
        return total;
    }

    public void Dispose()
    {
    }
}
