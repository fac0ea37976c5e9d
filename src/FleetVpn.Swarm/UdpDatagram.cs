using System.Buffers.Binary;

namespace FleetVpn.Swarm;

/// <summary>
/// IPv4 + UDP packets as a tun device would carry them (RFC 791, RFC 768): a 20-byte IPv4 header without options,
/// the 8-byte UDP header and the payload. The UDP checksum is computed (not left 0) so that the receiving kernel
/// verifies every datagram that went through the tunnel: a corrupted one is dropped, not counted.
/// </summary>
public static class UdpDatagram
{
    public const int HeaderSize = IcmpEcho.Ipv4HeaderSize + UdpHeaderSize;
    public const int UdpHeaderSize = 8;
    public const byte ProtocolUdp = 17;

    /// <summary>Builds a datagram from <paramref name="source"/>:<paramref name="sourcePort"/> to <paramref name="destination"/>:<paramref name="destinationPort"/>; returns its length.</summary>
    public static int Write(Span<byte> packet, uint source, ushort sourcePort, uint destination, ushort destinationPort,
        ReadOnlySpan<byte> payload, ushort ipId = 0)
    {
        int total = HeaderSize + payload.Length;
        if (total > 65535) throw new ArgumentException("packet too long", nameof(payload));
        if (packet.Length < total) throw new ArgumentException("buffer too small", nameof(packet));
        IcmpEcho.WriteIpv4Header(packet, total, ipId, ProtocolUdp, source, destination);

        int udpLength = UdpHeaderSize + payload.Length;
        var udp = packet.Slice(IcmpEcho.Ipv4HeaderSize, udpLength);
        BinaryPrimitives.WriteUInt16BigEndian(udp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)udpLength);
        udp[6] = udp[7] = 0;
        payload.CopyTo(udp[UdpHeaderSize..]);
        ushort checksum = Checksum(source, destination, udp);
        // RFC 768: a computed 0 is sent as all ones (0 means "no checksum").
        BinaryPrimitives.WriteUInt16BigEndian(udp[6..], checksum == 0 ? (ushort)0xFFFF : checksum);
        return total;
    }

    /// <summary>The UDP checksum over the IPv4 pseudo-header and <paramref name="udp"/>; 0 when verifying a datagram that carries its checksum.</summary>
    public static ushort Checksum(uint source, uint destination, ReadOnlySpan<byte> udp)
    {
        // Pseudo-header sum (source, destination, zero + protocol, UDP length) folded into the checksum of the datagram.
        ulong sum = (source >> 16) + (source & 0xFFFF) + (destination >> 16) + (destination & 0xFFFF) + ProtocolUdp + (uint)udp.Length;
        int i = 0;
        for (; i + 1 < udp.Length; i += 2) sum += (uint)(udp[i] << 8 | udp[i + 1]);
        if (i < udp.Length) sum += (uint)(udp[i] << 8);
        while (sum >> 16 != 0) sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }
}
