using System.Net;
using FleetVpn.Swarm;

namespace FleetVpn.Swarm.Tests;

public class UdpDatagramTests
{
    private static readonly uint Client = IcmpEcho.ToUInt32(IPAddress.Parse("10.8.0.2"));
    private static readonly uint Sink = IcmpEcho.ToUInt32(IPAddress.Parse("10.8.0.1"));

    [Fact]
    public void Datagram_has_valid_ip_and_udp_checksums_and_fields()
    {
        var payload = Enumerable.Range(0, 101).Select(i => (byte)(i * 7)).ToArray(); // odd length: the padded last byte
        var packet = new byte[200];
        int n = UdpDatagram.Write(packet, Client, 10001, Sink, 9000, payload, ipId: 5);
        Assert.Equal(20 + 8 + 101, n);
        var p = packet.AsSpan(0, n);
        Assert.Equal(0x45, p[0]);
        Assert.Equal(n, p[2] << 8 | p[3]);
        Assert.Equal(17, p[9]);
        Assert.Equal(0, IcmpEcho.Checksum(p[..20]));
        Assert.Equal(new byte[] { 10, 8, 0, 2 }, p[12..16].ToArray());
        Assert.Equal(new byte[] { 10, 8, 0, 1 }, p[16..20].ToArray());
        Assert.Equal(10001, p[20] << 8 | p[21]);
        Assert.Equal(9000, p[22] << 8 | p[23]);
        Assert.Equal(8 + 101, p[24] << 8 | p[25]);
        Assert.NotEqual(0, p[26] << 8 | p[27]);                       // a checksum is sent, not "none"
        Assert.Equal(0, UdpDatagram.Checksum(Client, Sink, p[20..])); // and it verifies
        Assert.Equal(payload, p[28..].ToArray());
    }

    [Fact]
    public void Checksum_matches_a_hand_computed_datagram()
    {
        // 10.8.0.2:1 -> 10.8.0.1:2, payload 00 01. Sum: 0a08 + 0002 + 0a08 + 0001 + 0011 + 000a (pseudo-header)
        // + 0001 + 0002 + 000a (header, checksum 0) + 0001 (payload) = 0x143c; checksum ~0x143c = 0xebc3.
        Assert.Equal(0xebc3, UdpDatagram.Checksum(Client, Sink, [0, 1, 0, 2, 0, 10, 0, 0, 0, 1]));
    }

    [Fact]
    public void Corrupting_one_byte_fails_the_checksum()
    {
        var packet = new byte[100];
        int n = UdpDatagram.Write(packet, Client, 10001, Sink, 9000, new byte[64]);
        packet[n - 1] ^= 0x40;
        Assert.NotEqual(0, UdpDatagram.Checksum(Client, Sink, packet.AsSpan(20, n - 20)));
    }
}
