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

    public SessionId Compute(IPEndPoint client, SessionId clientSessionId, long unixSeconds) =>
        ComputeForSlot(client, clientSessionId, (uint)(unixSeconds / _slotSeconds));

    public bool Verify(IPEndPoint client, SessionId clientSessionId, SessionId cookie, long unixSeconds)
    {
        long slot = unixSeconds / _slotSeconds;
        bool ok = false;
        for (long s = slot - 2; s <= slot + 1; s++)
            ok |= ComputeForSlot(client, clientSessionId, (uint)s).Value == cookie.Value;
        return ok;
    }

    private SessionId ComputeForSlot(IPEndPoint client, SessionId clientSessionId, uint slot)
    {
        Span<byte> input = stackalloc byte[4 + 16 + 2 + SessionId.Size];
        BinaryPrimitives.WriteUInt32BigEndian(input, slot);
        client.Address.TryWriteBytes(input.Slice(4, 16), out int addressLength);
        int pos = 4 + addressLength;
        BinaryPrimitives.WriteUInt16BigEndian(input[pos..], (ushort)client.Port);
        pos += 2;
        clientSessionId.Write(input[pos..]);
        pos += SessionId.Size;
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_secret, input[..pos], mac);
        var id = SessionId.Read(mac);
        return id.IsValid ? id : new SessionId(1);
    }
}
