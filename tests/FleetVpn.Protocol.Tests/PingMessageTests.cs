using FleetVpn.Protocol.Messages;

namespace FleetVpn.Protocol.Tests;

public class PingMessageTests
{
    private static readonly byte[] Ping = Convert.FromHexString("2a187bf3641eb4cb07ed2d0a981fc748");

    [Fact]
    public void BytesAreTheOpenVpnPingString()
    {
        Assert.Equal(Ping, PingMessage.Bytes.ToArray());
    }

    [Fact]
    public void DetectsExactlyThePing()
    {
        Assert.True(PingMessage.Is(Ping));
        Assert.False(PingMessage.Is(Ping.AsSpan(0, 15)));
        Assert.False(PingMessage.Is([.. Ping, 0]));
        Assert.False(PingMessage.Is([]));
        for (int i = 0; i < Ping.Length; i++)
        {
            var changed = (byte[])Ping.Clone();
            changed[i] ^= 1;
            Assert.False(PingMessage.Is(changed));
        }
    }

    [Fact]
    public void AnIpPacketIsNotAPing()
    {
        var ip = Convert.FromHexString("450000543d1e40004001e9780a0800020a080001");
        Assert.False(PingMessage.Is(ip));
    }
}
