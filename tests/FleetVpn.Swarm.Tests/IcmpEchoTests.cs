using System.Net;
using FleetVpn.Swarm;

namespace FleetVpn.Swarm.Tests;

public class IcmpEchoTests
{
    private static readonly uint Client = IcmpEcho.ToUInt32(IPAddress.Parse("10.8.0.2"));
    private static readonly uint Server = IcmpEcho.ToUInt32(IPAddress.Parse("10.8.0.1"));

    [Fact]
    public void Checksum_matches_the_rfc1071_example()
    {
        // RFC 1071 §3: the one's complement sum of 0001 f203 f4f5 f6f7 is ddf2, so the checksum is ~ddf2 = 220d.
        Assert.Equal(0x220d, IcmpEcho.Checksum([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]));
    }

    [Fact]
    public void Checksum_of_odd_length_pads_with_zero()
    {
        Assert.Equal(IcmpEcho.Checksum([0x12, 0x34, 0x56, 0x00]), IcmpEcho.Checksum([0x12, 0x34, 0x56]));
    }

    [Fact]
    public void Request_has_valid_ip_and_icmp_checksums_and_fields()
    {
        var packet = new byte[100];
        int n = IcmpEcho.WriteRequest(packet, Client, Server, identifier: 0x1234, sequence: 7, payload: new byte[56]);
        Assert.Equal(84, n);
        var p = packet.AsSpan(0, n);
        Assert.Equal(0x45, p[0]);
        Assert.Equal(84, p[2] << 8 | p[3]);
        Assert.Equal(64, p[8]);
        Assert.Equal(1, p[9]);
        Assert.Equal(0, IcmpEcho.Checksum(p[..20]));          // header checksum verifies to 0
        Assert.Equal(new byte[] { 10, 8, 0, 2 }, p[12..16].ToArray());
        Assert.Equal(new byte[] { 10, 8, 0, 1 }, p[16..20].ToArray());
        Assert.Equal(8, p[20]);                                 // echo request
        Assert.Equal(0, IcmpEcho.Checksum(p[20..]));           // ICMP checksum verifies to 0
        Assert.Equal(0x1234, p[24] << 8 | p[25]);
        Assert.Equal(7, p[26] << 8 | p[27]);
    }

    [Fact]
    public void Reply_is_recognised_with_id_sequence_and_payload()
    {
        var payload = new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
        var packet = new byte[64];
        int n = IcmpEcho.Write(packet, IcmpEcho.EchoReply, Server, Client, 42, 9, payload);
        Assert.True(IcmpEcho.TryParseReply(packet.AsSpan(0, n), Client, out var id, out var seq, out var echoed));
        Assert.Equal(42, id);
        Assert.Equal(9, seq);
        Assert.Equal(payload, echoed.ToArray());
    }

    [Fact]
    public void Reply_is_refused_when_corrupt_misaddressed_or_a_request()
    {
        var packet = new byte[64];
        int n = IcmpEcho.Write(packet, IcmpEcho.EchoReply, Server, Client, 1, 1, new byte[8]);
        Assert.False(IcmpEcho.TryParseReply(packet.AsSpan(0, n), Server, out _, out _, out _)); // not for us

        var corrupt = packet.AsSpan(0, n).ToArray();
        corrupt[^1] ^= 0xFF;
        Assert.False(IcmpEcho.TryParseReply(corrupt, Client, out _, out _, out _));

        int r = IcmpEcho.WriteRequest(packet, Server, Client, 1, 1, new byte[8]);
        Assert.False(IcmpEcho.TryParseReply(packet.AsSpan(0, r), Client, out _, out _, out _));
        Assert.False(IcmpEcho.TryParseReply(packet.AsSpan(0, 10), Client, out _, out _, out _));
    }
}
