using System.Net;
using FleetVpn.Swarm;

namespace FleetVpn.Swarm.Tests;

public class PushReplyTests
{
    [Fact]
    public void Parses_what_a_26_server_pushes()
    {
        // §6.1, captured from a 2.6 server.
        var reply = PushReply.Parse("PUSH_REPLY,route-gateway 10.8.0.1,topology subnet,ping 10,ping-restart 60,ifconfig 10.8.0.2 255.255.255.0,peer-id 0,cipher AES-256-GCM,protocol-flags cc-exit tls-ekm dyn-tls-crypt,tun-mtu 1500");
        Assert.Equal(IPAddress.Parse("10.8.0.2"), reply.Address);
        Assert.Equal(IPAddress.Parse("255.255.255.0"), reply.Netmask);
        Assert.Equal(IPAddress.Parse("10.8.0.1"), reply.RouteGateway);
        Assert.Equal(0, reply.PeerId);
        Assert.Equal("AES-256-GCM", reply.Cipher);
        Assert.Equal(10, reply.Ping);
        Assert.Equal(60, reply.PingRestart);
        Assert.Equal(1500, reply.TunMtu);
        Assert.True(reply.CcExit);
        Assert.True(reply.WantsTlsEkm);
        Assert.False(reply.CompLzoFraming);
        Assert.True(reply.IsComplete);
    }

    [Fact]
    public void Without_tls_ekm_and_with_comp_lzo()
    {
        var reply = PushReply.Parse("PUSH_REPLY,ifconfig 10.8.3.7 255.255.0.0,peer-id 12345,cipher CHACHA20-POLY1305,comp-lzo no,protocol-flags cc-exit");
        Assert.False(reply.WantsTlsEkm);
        Assert.True(reply.CompLzoFraming);
        Assert.Equal(12345, reply.PeerId);
        Assert.Null(reply.Ping);
    }

    [Fact]
    public void Key_derivation_tls_ekm_counts_as_ekm()
    {
        Assert.True(PushReply.Parse("PUSH_REPLY,ifconfig 10.8.0.2 255.255.255.0,key-derivation tls-ekm").WantsTlsEkm);
    }

    [Fact]
    public void Continuations_are_merged()
    {
        var reply = PushReply.Parse("PUSH_REPLY,route-gateway 10.8.0.1,ping 10,push-continuation 2");
        Assert.False(reply.IsComplete);
        reply.Add("PUSH_REPLY,ifconfig 10.8.0.9 255.255.255.0,peer-id 3,push-continuation 1");
        Assert.True(reply.IsComplete);
        Assert.Equal(10, reply.Ping);
        Assert.Equal(3, reply.PeerId);
        Assert.Equal(IPAddress.Parse("10.8.0.9"), reply.Address);
    }

    [Theory]
    [InlineData("PUSH_REPLY,ifconfig 10.8.0.2")]
    [InlineData("PUSH_REPLY,ifconfig nonsense 255.255.255.0")]
    [InlineData("PUSH_REPLY,peer-id 16777216")]
    [InlineData("PUSH_REPLY,ping x")]
    [InlineData("AUTH_FAILED")]
    public void Malformed_is_refused(string message)
    {
        Assert.Throws<FormatException>(() => PushReply.Parse(message));
    }

    [Fact]
    public void Recognises_push_reply_messages()
    {
        Assert.True(PushReply.IsPushReply("PUSH_REPLY"));
        Assert.True(PushReply.IsPushReply("PUSH_REPLY,ping 10"));
        Assert.False(PushReply.IsPushReply("PUSH_REPLYX"));
        Assert.False(PushReply.IsPushReply("PUSH_REQUEST"));
    }
}
