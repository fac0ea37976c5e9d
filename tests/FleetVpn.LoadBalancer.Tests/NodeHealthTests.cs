using FleetVpn.LoadBalancer;

namespace FleetVpn.LoadBalancer.Tests;

public sealed class NodeHealthTests
{
    [Fact]
    public void A_node_goes_down_after_fail_after_failures_in_a_row_and_back_after_rise_successes()
    {
        var health = new NodeHealth(failAfter: 2, riseAfter: 3);

        Assert.True(health.Up);
        Assert.False(health.Record(false, "refused"));
        Assert.False(health.Record(true, "200"));   // the streak starts again
        Assert.False(health.Record(false, "refused"));
        Assert.True(health.Record(false, "refused"));
        Assert.False(health.Up);
        Assert.False(health.Record(true, "200"));
        Assert.False(health.Record(true, "200"));
        Assert.True(health.Record(true, "200"));
        Assert.True(health.Up);
        Assert.Equal("200", health.LastResult);
    }
}
