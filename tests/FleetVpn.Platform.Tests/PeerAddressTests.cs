using System.Net;
using FleetVpn.Platform.Sockets;

namespace FleetVpn.Platform.Tests;

public sealed class PeerAddressTests
{
    [Theory]
    [InlineData("127.0.0.2", 40000)]
    [InlineData("10.1.2.3", 1)]
    [InlineData("::ffff:192.0.2.7", 1194)]
    [InlineData("2001:db8::5", 65535)]
    public void A_sockaddr_read_and_written_back_is_the_same_bytes_and_endpoint(string address, int port)
    {
        var endPoint = new IPEndPoint(IPAddress.Parse(address), port);
        var socketAddress = endPoint.Serialize();
        var peer = PeerAddress.From(socketAddress);

        Assert.True(peer.IsSet);
        Assert.Equal(socketAddress.Size, peer.SockaddrSize);
        var written = new byte[32];
        Assert.Equal(socketAddress.Size, peer.WriteTo(written));
        Assert.Equal(socketAddress.Buffer.Span[..socketAddress.Size].ToArray(), written[..socketAddress.Size]);
        Assert.Equal(socketAddress, peer.ToSocketAddress());

        var expected = endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), port) : endPoint;
        Assert.Equal(expected, peer.ToEndPoint());
        Assert.Equal(port, peer.Port);
    }

    [Theory]
    [InlineData("127.0.0.2", "127.0.0.2")]
    [InlineData("::ffff:192.0.2.7", "192.0.2.7")]
    [InlineData("2001:db8::5", "2001:db8::5")]
    [InlineData("::1", "::1")]
    public void The_address_bytes_are_those_the_endpoint_shows(string address, string shown)
    {
        var peer = PeerAddress.From(new IPEndPoint(IPAddress.Parse(address), 7).Serialize());
        var bytes = new byte[16];
        int length = peer.WriteAddress(bytes);
        Assert.Equal(IPAddress.Parse(shown).GetAddressBytes(), bytes[..length]);
    }

    [Fact]
    public void Addresses_are_equal_exactly_when_address_port_and_family_are()
    {
        var a = PeerAddress.From(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 5000).Serialize());
        var same = PeerAddress.From(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 5000).Serialize());
        var otherPort = PeerAddress.From(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 5001).Serialize());
        var otherHost = PeerAddress.From(new IPEndPoint(IPAddress.Parse("127.0.0.3"), 5000).Serialize());
        var mapped = PeerAddress.From(new IPEndPoint(IPAddress.Parse("::ffff:127.0.0.2"), 5000).Serialize());

        Assert.Equal(a, same);
        Assert.Equal(a.GetHashCode(), same.GetHashCode());
        Assert.NotEqual(a, otherPort);
        Assert.NotEqual(a, otherHost);
        Assert.NotEqual(a, mapped); // a different socket family: each is written back in its own form
        Assert.False(default(PeerAddress).IsSet);
    }

    [Fact]
    public void A_sockaddr_of_another_family_or_too_short_is_not_an_address()
    {
        Assert.False(PeerAddress.FromSockaddr([1, 0, 0, 0]).IsSet); // AF_UNIX
        Assert.False(PeerAddress.FromSockaddr([2, 0, 0x04, 0xaa]).IsSet); // AF_INET, cut short
        Assert.False(PeerAddress.FromSockaddr([]).IsSet);
    }
}
