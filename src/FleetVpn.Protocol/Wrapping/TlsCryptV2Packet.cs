using System.Buffers.Binary;

namespace FleetVpn.Protocol.Wrapping;

/// <summary>
/// The tls-crypt-v2 parts of the wire (§3.5, §4.4): P_CONTROL_HARD_RESET_CLIENT_V3 and P_CONTROL_WKC_V1 are a
/// tls-crypt packet (wrapped with Kc) followed by WKc in clear, whose last two bytes are its length
/// (<c>tls_crypt_v2_extract_client_key()</c>); and the early-negotiation marker and TLV of the cookie handshake
/// (<c>EARLY_NEG_*</c>, <c>TLV_TYPE_EARLY_NEG_FLAGS</c> in ssl_pkt.h, <c>parse_early_negotiation_tlvs()</c> in ssl.c).
/// </summary>
public static class TlsCryptV2Packet
{
    /// <summary><c>EARLY_NEG_MASK</c>: the top byte of the replay packet-id.</summary>
    public const uint EarlyNegotiationMask = 0xFF000000;

    /// <summary><c>EARLY_NEG_START</c>: a client that can resend WKc starts its replay packet-ids here.</summary>
    public const uint EarlyNegotiationStart = PacketIdSender.TlsCryptV2EarlyNegotiationStart;

    /// <summary><c>TLV_TYPE_EARLY_NEG_FLAGS</c>.</summary>
    public const ushort EarlyNegotiationFlagsType = 0x0001;

    /// <summary><c>EARLY_NEG_FLAG_RESEND_WKC</c>: the client must append WKc to its third packet (P_CONTROL_WKC_V1).</summary>
    public const ushort ResendWkcFlag = 0x0001;

    /// <summary>The payload of the server's cookie reply to a client that marked early negotiation: flags TLV, RESEND_WKC.</summary>
    public static ReadOnlySpan<byte> ResendWkcTlv => [0x00, 0x01, 0x00, 0x02, 0x00, 0x01];

    /// <summary>
    /// Finds the appended WKc: true with the length of the tls-crypt packet before it when the last two bytes give a
    /// length within the WKc limits that leaves at least a tls-crypt header and tag in front.
    /// </summary>
    public static bool TrySplit(ReadOnlySpan<byte> datagram, out int packetLength)
    {
        packetLength = 0;
        if (datagram.Length < TlsCryptV2ServerKey.MinWrappedKeySize) return false;
        int wrappedKeyLength = BinaryPrimitives.ReadUInt16BigEndian(datagram[^2..]);
        if (wrappedKeyLength is < TlsCryptV2ServerKey.MinWrappedKeySize or > TlsCryptV2ServerKey.MaxWrappedKeySize) return false;
        if (datagram.Length - wrappedKeyLength < TlsCryptWrapper.HeaderSize + TlsCryptWrapper.TagSize) return false;
        packetLength = datagram.Length - wrappedKeyLength;
        return true;
    }

    /// <summary>Whether a V3 reset's replay packet-id marks a client that resends WKc (<c>do_pre_decrypt_check()</c> in mudp.c).</summary>
    public static bool MarksEarlyNegotiation(uint replayId) => (replayId & EarlyNegotiationMask) == EarlyNegotiationStart;

    /// <summary>
    /// Reads the TLVs of a server's reset payload (<c>parse_early_negotiation_tlvs()</c>): true when they are well formed
    /// (unknown types skipped); <paramref name="resendWkc"/> when the flags TLV asks for WKc in the third packet.
    /// </summary>
    public static bool TryReadEarlyNegotiation(ReadOnlySpan<byte> payload, out bool resendWkc)
    {
        resendWkc = false;
        while (payload.Length > 0)
        {
            if (payload.Length < 4) return false;
            ushort type = BinaryPrimitives.ReadUInt16BigEndian(payload);
            ushort length = BinaryPrimitives.ReadUInt16BigEndian(payload[2..]);
            payload = payload[4..];
            if (payload.Length < length) return false;
            if (type == EarlyNegotiationFlagsType)
            {
                if (length != 2) return false;
                resendWkc |= (BinaryPrimitives.ReadUInt16BigEndian(payload) & ResendWkcFlag) != 0;
            }
            payload = payload[length..];
        }
        return true;
    }
}
