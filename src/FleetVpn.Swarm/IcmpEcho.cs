using System.Buffers.Binary;

namespace FleetVpn.Swarm;

/// <summary>
/// IPv4 + ICMP echo packets as a tun device would carry them (RFC 791, RFC 792): a 20-byte IPv4
/// header without options, then ICMP type 8 (request) or 0 (reply), code 0, checksum, identifier,
/// sequence number and the payload. Both checksums are the Internet checksum (RFC 1071).
/// </summary>
public static class IcmpEcho
{
    public const int Ipv4HeaderSize = 20;
    public const int IcmpHeaderSize = 8;
    public const byte ProtocolIcmp = 1;
    public const byte EchoReply = 0;
    public const byte EchoRequest = 8;

    /// <summary>Builds an echo request from <paramref name="source"/> to <paramref name="destination"/>; returns the packet length.</summary>
    public static int WriteRequest(Span<byte> packet, uint source, uint destination, ushort identifier, ushort sequence,
        ReadOnlySpan<byte> payload, ushort ipId = 0) =>
        Write(packet, EchoRequest, source, destination, identifier, sequence, payload, ipId);

    /// <summary>Builds an IPv4 ICMP echo packet of <paramref name="type"/>; returns its length.</summary>
    public static int Write(Span<byte> packet, byte type, uint source, uint destination, ushort identifier, ushort sequence,
        ReadOnlySpan<byte> payload, ushort ipId = 0)
    {
        int total = Ipv4HeaderSize + IcmpHeaderSize + payload.Length;
        if (total > 65535) throw new ArgumentException("packet too long", nameof(payload));
        if (packet.Length < total) throw new ArgumentException("buffer too small", nameof(packet));
        WriteIpv4Header(packet, total, ipId, ProtocolIcmp, source, destination);

        var icmp = packet.Slice(Ipv4HeaderSize, IcmpHeaderSize + payload.Length);
        icmp[0] = type;
        icmp[1] = 0;
        icmp[2] = icmp[3] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(icmp[4..], identifier);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[6..], sequence);
        payload.CopyTo(icmp[IcmpHeaderSize..]);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], Checksum(icmp));
        return total;
    }

    /// <summary>
    /// Recognises an IPv4 ICMP echo reply addressed to <paramref name="destination"/> with valid checksums;
    /// returns its identifier, sequence and payload.
    /// </summary>
    public static bool TryParseReply(ReadOnlySpan<byte> packet, uint destination, out ushort identifier, out ushort sequence, out ReadOnlySpan<byte> payload)
    {
        identifier = sequence = 0;
        payload = default;
        if (packet.Length < Ipv4HeaderSize + IcmpHeaderSize || packet[0] >> 4 != 4) return false;
        int ihl = (packet[0] & 0x0F) * 4;
        int total = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        if (ihl < Ipv4HeaderSize || total > packet.Length || total < ihl + IcmpHeaderSize) return false;
        if (packet[9] != ProtocolIcmp) return false;
        if ((BinaryPrimitives.ReadUInt16BigEndian(packet[6..]) & 0x3FFF) != 0) return false; // fragment
        if (Checksum(packet[..ihl]) != 0) return false;
        if (BinaryPrimitives.ReadUInt32BigEndian(packet[16..]) != destination) return false;
        var icmp = packet[ihl..total];
        if (icmp[0] != EchoReply || icmp[1] != 0 || Checksum(icmp) != 0) return false;
        identifier = BinaryPrimitives.ReadUInt16BigEndian(icmp[4..]);
        sequence = BinaryPrimitives.ReadUInt16BigEndian(icmp[6..]);
        payload = icmp[IcmpHeaderSize..];
        return true;
    }

    /// <summary>A 20-byte IPv4 header (no options, DF, TTL 64) with its checksum, at the start of <paramref name="packet"/>.</summary>
    public static void WriteIpv4Header(Span<byte> packet, int total, ushort ipId, byte protocol, uint source, uint destination)
    {
        var ip = packet[..Ipv4HeaderSize];
        ip[0] = 0x45;                                   // version 4, IHL 5
        ip[1] = 0;                                      // DSCP/ECN
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)total);
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], ipId);
        BinaryPrimitives.WriteUInt16BigEndian(ip[6..], 0x4000); // DF, fragment offset 0
        ip[8] = 64;                                     // TTL
        ip[9] = protocol;
        ip[10] = ip[11] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(ip[12..], source);
        BinaryPrimitives.WriteUInt32BigEndian(ip[16..], destination);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Checksum(ip));
    }

    /// <summary>The Internet checksum (RFC 1071) of <paramref name="data"/>; 0 when verifying data that includes its checksum.</summary>
    public static ushort Checksum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        int i = 0;
        for (; i + 1 < data.Length; i += 2) sum += (uint)(data[i] << 8 | data[i + 1]);
        if (i < data.Length) sum += (uint)(data[i] << 8);
        while (sum >> 16 != 0) sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }

    public static uint ToUInt32(System.Net.IPAddress address)
    {
        Span<byte> b = stackalloc byte[4];
        if (!address.TryWriteBytes(b, out int n) || n != 4) throw new ArgumentException("not an IPv4 address", nameof(address));
        return BinaryPrimitives.ReadUInt32BigEndian(b);
    }
}
