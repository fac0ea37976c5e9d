using FleetVpn.Swarm;

namespace FleetVpn.Swarm.Tests;

public class ReconnectBackoffTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(5, 1)]
    [InlineData(6, 2)]
    [InlineData(7, 4)]
    [InlineData(8, 8)]
    [InlineData(12, 128)]
    [InlineData(13, 256)]
    [InlineData(14, 300)]
    [InlineData(1000, 300)]
    public void Follows_openvpn_connect_retry(int attempts, int seconds)
    {
        Assert.Equal(seconds, ReconnectBackoff.DelaySeconds(attempts));
    }

    [Fact]
    public void Never_decreases()
    {
        int last = 0;
        for (int i = 1; i < 100; i++)
        {
            int d = ReconnectBackoff.DelaySeconds(i);
            Assert.True(d >= last);
            last = d;
        }
    }
}
