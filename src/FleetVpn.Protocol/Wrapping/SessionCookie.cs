using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using FleetVpn.Protocol.Wire;

namespace FleetVpn.Protocol.Wrapping;

/// <summary>
/// The stateless HMAC session-id cookie of the 2.6 three-way handshake (§4.2): the server's
/// session id is <c>HMAC-SHA256(secret, slot ‖ address ‖ port ‖ client sid)[0..8]</c>, so the server
/// keeps nothing for a client until it echoes the cookie back from its own address.
/// Slots are (hand-window + 1) / 2 seconds; slots current−2 … current+1 are accepted.
/// </summary>
public sealed class SessionCookie
{
    private readonly byte[] _secret;
    private readonly long _slotSeconds;

    public SessionCookie(int handWindowSeconds, byte[]? secret = null)
    {
        _secret = secret ?? RandomNumberGenerator.GetBytes(32);
        _slotSeconds = Math.Max(1, (handWindowSeconds + 1) / 2);
    }

    public SessionId Compute(IPEndPoint client, SessionId clientSessionId, long unixSeconds)
    {
        Span<byte> address = stackalloc byte[16];
        client.Address.TryWriteBytes(address, out int length);
        return Compute(address[..length], client.Port, clientSessionId, unixSeconds);
    }

    /// <summary>The cookie for a client at <paramref name="address"/> (its bytes in network order) and <paramref name="port"/>.</summary>
    public SessionId Compute(ReadOnlySpan<byte> address, int port, SessionId clientSessionId, long unixSeconds) =>
        ComputeForSlot(address, port, clientSessionId, (uint)(unixSeconds / _slotSeconds));

    public bool Verify(IPEndPoint client, SessionId clientSessionId, SessionId cookie, long unixSeconds)
    {
        Span<byte> address = stackalloc byte[16];
        client.Address.TryWriteBytes(address, out int length);
        return Verify(address[..length], client.Port, clientSessionId, cookie, unixSeconds);
    }

    /// <summary>
    /// Whether <paramref name="cookie"/> is what this server gave a client at <paramref name="address"/> and
    /// <paramref name="port"/> within the accepted slots; allocates nothing (a flood of forged echoes costs no memory).
    /// </summary>
    public bool Verify(ReadOnlySpan<byte> address, int port, SessionId clientSessionId, SessionId cookie, long unixSeconds)
    {
        long slot = unixSeconds / _slotSeconds;
        bool ok = false;
        for (long s = slot - 2; s <= slot + 1; s++)
            ok |= ComputeForSlot(address, port, clientSessionId, (uint)s).Value == cookie.Value;
        return ok;
    }

    private SessionId ComputeForSlot(ReadOnlySpan<byte> address, int port, SessionId clientSessionId, uint slot)
    {
        if (address.Length is not (4 or 16)) throw new ArgumentException("an IPv4 or IPv6 address", nameof(address));
        Span<byte> input = stackalloc byte[4 + 16 + 2 + SessionId.Size];
        BinaryPrimitives.WriteUInt32BigEndian(input, slot);
        address.CopyTo(input[4..]);
        int pos = 4 + address.Length;
        BinaryPrimitives.WriteUInt16BigEndian(input[pos..], (ushort)port);
        pos += 2;
        clientSessionId.Write(input[pos..]);
        pos += SessionId.Size;
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_secret, input[..pos], mac);
        var id = SessionId.Read(mac);
        return id.IsValid ? id : new SessionId(1);
    }
}
