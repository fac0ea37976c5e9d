using System.Net;
using FleetVpn.Swarm;

namespace FleetVpn.Swarm.Tests;

public class SourceAddressPlanTests
{
    [Fact]
    public void Few_clients_bind_to_any_address()
    {
        var plan = SourceAddressPlan.Create(IPAddress.Loopback, 1000, null);
        Assert.Empty(plan.Sources);
        Assert.Null(plan.For(0));
    }

    [Fact]
    public void Many_clients_to_loopback_spread_from_127_0_0_2()
    {
        var plan = SourceAddressPlan.Create(IPAddress.Loopback, 100_000, null);
        Assert.Equal(4, plan.Sources.Count);
        Assert.Equal(IPAddress.Parse("127.0.0.2"), plan.For(0));
        Assert.Equal(IPAddress.Parse("127.0.0.3"), plan.For(1));
        Assert.Equal(IPAddress.Parse("127.0.0.5"), plan.For(3));
        Assert.Equal(IPAddress.Parse("127.0.0.2"), plan.For(4));
        // No source carries more than its share of the port range.
        var perSource = Enumerable.Range(0, 100_000).GroupBy(i => plan.For(i)).Select(g => g.Count());
        Assert.All(perSource, n => Assert.True(n <= SourceAddressPlan.ClientsPerSource));
    }

    [Fact]
    public void Many_clients_to_a_non_loopback_remote_need_sources()
    {
        Assert.Empty(SourceAddressPlan.Create(IPAddress.Parse("10.77.1.1"), 100_000, null).Sources);
    }

    [Fact]
    public void Cidr_hosts_exclude_network_and_broadcast()
    {
        var hosts = SourceAddressPlan.Hosts("10.1.2.0/30", 100);
        Assert.Equal([IPAddress.Parse("10.1.2.1"), IPAddress.Parse("10.1.2.2")], hosts);
        Assert.Equal([IPAddress.Parse("10.1.2.3")], SourceAddressPlan.Hosts("10.1.2.3/32", 100));
        Assert.Equal(10, SourceAddressPlan.Hosts("127.0.0.0/8", 10).Count);
    }

    [Fact]
    public void Sources_cidr_is_used_round_robin()
    {
        var plan = SourceAddressPlan.Create(IPAddress.Loopback, 3, "127.0.1.0/24");
        Assert.Equal(3, plan.Sources.Count);
        Assert.Equal(IPAddress.Parse("127.0.1.1"), plan.For(0));
        Assert.Equal(IPAddress.Parse("127.0.1.3"), plan.For(2));
        Assert.Equal(IPAddress.Parse("127.0.1.1"), plan.For(3));
    }

    [Theory]
    [InlineData("10.0.0.0")]
    [InlineData("10.0.0.0/33")]
    [InlineData("::1/128")]
    [InlineData("x/8")]
    public void Bad_cidr_is_refused(string cidr)
    {
        Assert.Throws<FormatException>(() => SourceAddressPlan.Hosts(cidr, 10));
    }
}
