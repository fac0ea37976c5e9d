using System.Buffers.Binary;
using System.Net;

namespace FleetVpn.Protocol.Tests.Fixtures;

/// <summary>A UDP datagram found in a capture; <see cref="Frame"/> is the 1-based frame number (as in Wireshark/decoded.json).</summary>
internal sealed record CapturedDatagram(int Frame, int InterfaceId, IPEndPoint Source, IPEndPoint Destination, byte[] Payload);

/// <summary>Minimal pcapng reader (SHB/IDB/EPB/SPB; Ethernet, Linux cooked v1/v2, raw IP) returning IPv4/IPv6 UDP payloads.</summary>
internal static class Pcapng
{
    private const uint SectionHeader = 0x0A0D0D0A;
    private const uint InterfaceDescription = 1;
    private const uint ObsoletePacket = 2;
    private const uint SimplePacket = 3;
    private const uint EnhancedPacket = 6;

    public static List<CapturedDatagram> ReadUdp(string path)
    {
        var data = File.ReadAllBytes(path);
        var result = new List<CapturedDatagram>();
        var linkTypes = new List<ushort>();
        bool little = true;
        int frame = 0;
        int pos = 0;
        while (pos + 12 <= data.Length)
        {
            uint type = ReadU32(data, pos, little);
            if (type == SectionHeader)
            {
                little = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(pos + 8)) == 0x1A2B3C4D;
                linkTypes.Clear();
            }
            int length = (int)ReadU32(data, pos + 4, little);
            if (length < 12 || pos + length > data.Length) throw new InvalidDataException($"{path}: bad pcapng block at {pos}");
            var body = data.AsSpan(pos + 8, length - 12);
            switch (type)
            {
                case InterfaceDescription:
                    linkTypes.Add(little ? BinaryPrimitives.ReadUInt16LittleEndian(body) : BinaryPrimitives.ReadUInt16BigEndian(body));
                    break;
                case EnhancedPacket:
                case ObsoletePacket:
                {
                    frame++;
                    int iface = type == EnhancedPacket ? (int)ReadU32(data, pos + 8, little) : ReadU16(data, pos + 8, little);
                    int captured = (int)ReadU32(data, pos + 20, little);
                    var packet = body.Slice(20, captured);
                    if (TryUdp(linkTypes[iface], packet, out var src, out var dst, out var payload))
                        result.Add(new CapturedDatagram(frame, iface, src!, dst!, payload!));
                    break;
                }
                case SimplePacket:
                {
                    frame++;
                    int original = (int)ReadU32(data, pos + 8, little);
                    var packet = body.Slice(4, Math.Min(original, body.Length - 4));
                    if (TryUdp(linkTypes[0], packet, out var src, out var dst, out var payload))
                        result.Add(new CapturedDatagram(frame, 0, src!, dst!, payload!));
                    break;
                }
            }
            pos += length;
        }
        return result;
    }

    private static bool TryUdp(ushort linkType, ReadOnlySpan<byte> frame, out IPEndPoint? source, out IPEndPoint? destination, out byte[]? payload)
    {
        source = destination = null;
        payload = null;
        int etherType;
        ReadOnlySpan<byte> ip;
        switch (linkType)
        {
            case 1: // Ethernet
            {
                int offset = 12;
                etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[offset..]);
                while (etherType is 0x8100 or 0x88A8)
                {
                    offset += 4;
                    etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[offset..]);
                }
                ip = frame[(offset + 2)..];
                break;
            }
            case 113: // Linux cooked capture v1
                etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[14..]);
                ip = frame[16..];
                break;
            case 276: // Linux cooked capture v2
                etherType = BinaryPrimitives.ReadUInt16BigEndian(frame);
                ip = frame[20..];
                break;
            case 101:
            case 228:
            case 229: // raw IP
                etherType = (frame[0] >> 4) == 6 ? 0x86DD : 0x0800;
                ip = frame;
                break;
            default:
                throw new NotSupportedException($"pcapng link type {linkType}");
        }

        ReadOnlySpan<byte> udp;
        if (etherType == 0x0800)
        {
            int ihl = (ip[0] & 0x0F) * 4;
            if (ip[9] != 17) return false;
            int total = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
            var srcAddr = new IPAddress(ip.Slice(12, 4));
            var dstAddr = new IPAddress(ip.Slice(16, 4));
            udp = ip[ihl..total];
            return Finish(udp, srcAddr, dstAddr, out source, out destination, out payload);
        }
        if (etherType == 0x86DD)
        {
            if (ip[6] != 17) return false;
            int total = 40 + BinaryPrimitives.ReadUInt16BigEndian(ip[4..]);
            var srcAddr = new IPAddress(ip.Slice(8, 16));
            var dstAddr = new IPAddress(ip.Slice(24, 16));
            udp = ip[40..total];
            return Finish(udp, srcAddr, dstAddr, out source, out destination, out payload);
        }
        return false;
    }

    private static bool Finish(ReadOnlySpan<byte> udp, IPAddress src, IPAddress dst,
        out IPEndPoint? source, out IPEndPoint? destination, out byte[]? payload)
    {
        int udpLength = BinaryPrimitives.ReadUInt16BigEndian(udp[4..]);
        source = new IPEndPoint(src, BinaryPrimitives.ReadUInt16BigEndian(udp));
        destination = new IPEndPoint(dst, BinaryPrimitives.ReadUInt16BigEndian(udp[2..]));
        payload = udp[8..udpLength].ToArray();
        return true;
    }

    private static uint ReadU32(byte[] data, int pos, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(pos)) : BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(pos));

    private static ushort ReadU16(byte[] data, int pos, bool little) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(pos)) : BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(pos));
}
