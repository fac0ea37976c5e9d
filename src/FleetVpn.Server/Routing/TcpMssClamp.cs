using System.Buffers.Binary;

namespace FleetVpn.Server.Routing;

/// <summary>
/// `mssfix`: lowers the MSS option of TCP SYN packets (either direction) so that full-sized
/// segments still fit one encapsulated UDP datagram (OpenVPN's mss.c). IPv4 only; the TCP
/// checksum is patched incrementally (RFC 1624).
/// </summary>
public static class TcpMssClamp
{
    private const byte ProtocolTcp = 6;
    private const byte FlagSyn = 0x02;
    private const byte OptionEnd = 0;
    private const byte OptionNop = 1;
    private const byte OptionMss = 2;

    /// <summary>Clamps in place; true if the packet was changed.</summary>
    public static bool Apply(Span<byte> ip, int maxMss)
    {
        if (ip.Length < 20 || ip[0] >> 4 != 4 || ip[9] != ProtocolTcp) return false;
        // Only the first fragment carries the TCP header.
        if ((BinaryPrimitives.ReadUInt16BigEndian(ip[6..]) & 0x1FFF) != 0) return false;
        int ipHeader = (ip[0] & 0x0F) * 4;
        if (ipHeader < 20 || ip.Length < ipHeader + 20) return false;
        var tcp = ip[ipHeader..];
        if ((tcp[13] & FlagSyn) == 0) return false;
        int tcpHeader = (tcp[12] >> 4) * 4;
        if (tcpHeader < 20 || tcp.Length < tcpHeader) return false;
        for (int i = 20; i < tcpHeader;)
        {
            byte kind = tcp[i];
            if (kind == OptionEnd) break;
            if (kind == OptionNop) { i++; continue; }
            if (i + 1 >= tcpHeader) break;
            int length = tcp[i + 1];
            if (length < 2 || i + length > tcpHeader) break;
            if (kind == OptionMss && length == 4)
            {
                ushort mss = BinaryPrimitives.ReadUInt16BigEndian(tcp[(i + 2)..]);
                if (mss <= maxMss) return false;
                BinaryPrimitives.WriteUInt16BigEndian(tcp[(i + 2)..], (ushort)maxMss);
                ushort checksum = BinaryPrimitives.ReadUInt16BigEndian(tcp[16..]);
                BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], AdjustChecksum(checksum, mss, (ushort)maxMss));
                return true;
            }
            i += length;
        }
        return false;
    }

    /// <summary>HC' = ~(~HC + ~m + m') in one's complement arithmetic.</summary>
    private static ushort AdjustChecksum(ushort checksum, ushort oldValue, ushort newValue)
    {
        uint sum = (uint)(~checksum & 0xFFFF) + (uint)(~oldValue & 0xFFFF) + newValue;
        sum = (sum & 0xFFFF) + (sum >> 16);
        sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }
}
