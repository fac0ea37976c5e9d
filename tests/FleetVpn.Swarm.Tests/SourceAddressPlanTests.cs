using System.Net;
using FleetVpn.Swarm;

namespace FleetVpn.Swarm.Tests;

public class SourceAddressPlanTests
{
    [Fact]
    public void Clients_to_loopback_each_have_their_own_address_from_127_0_0_2()
    {
        var plan = SourceAddressPlan.Create(IPAddress.Loopback, 100_000, null);
        Assert.True(plan.OwnAddresses);
        Assert.Empty(plan.Sources);
        Assert.Equal(IcmpEcho.ToUInt32(IPAddress.Parse("127.0.0.2")), plan.OwnAddressOf(0));
        Assert.Equal(IcmpEcho.ToUInt32(IPAddress.Parse("127.1.134.161")), plan.OwnAddressOf(99_999));
        Assert.Equal(99_999, plan.ClientOf(plan.OwnAddressOf(99_999)));
        Assert.Equal(-1, plan.ClientOf(IcmpEcho.ToUInt32(IPAddress.Parse("127.0.0.1"))));
        Assert.Equal(-1, plan.ClientOf(plan.OwnAddressOf(99_999) + 1));
    }

    [Fact]
    public void A_non_loopback_remote_without_sources_leaves_the_source_to_the_kernel()
    {
        var plan = SourceAddressPlan.Create(IPAddress.Parse("10.77.1.1"), 100_000, null);
        Assert.False(plan.OwnAddresses);
        Assert.Empty(plan.Sources);
        Assert.Null(plan.For(0));
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
    public void A_sources_cidr_smaller_than_the_fleet_is_used_round_robin()
    {
        var plan = SourceAddressPlan.Create(IPAddress.Loopback, 300, "127.0.1.0/30");
        Assert.False(plan.OwnAddresses);
        Assert.Equal(2, plan.Sources.Count);
        Assert.Equal(IPAddress.Parse("127.0.1.1"), plan.For(0));
        Assert.Equal(IPAddress.Parse("127.0.1.2"), plan.For(1));
        Assert.Equal(IPAddress.Parse("127.0.1.1"), plan.For(2));
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
