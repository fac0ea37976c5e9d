using System.Net;
using FleetVpn.LoadBalancer;

namespace FleetVpn.LoadBalancer.Tests;

public sealed class NftRulesetTests
{
    private static readonly LbNode[] Nodes =
    [
        new(IPAddress.Parse("10.90.0.11"), new Uri("http://10.90.0.11:9469/health")),
        new(IPAddress.Parse("10.90.0.12"), new Uri("http://10.90.0.12:9469/health")),
    ];

    private static string Render(LbHash hash, string[] assignment) =>
        NftRuleset.Render(IPAddress.Parse("10.77.0.1"), 1194, hash, Nodes, assignment);

    [Fact]
    public void The_table_is_replaced_whole_with_every_bucket_mapped()
    {
        var assignment = Enumerable.Range(0, 4).Select(i => i % 2 == 0 ? "10.90.0.11" : "10.90.0.12").ToArray();
        var text = Render(LbHash.Address, assignment);

        // Created (so that the delete cannot fail on a fresh machine), deleted and made again: one transaction.
        Assert.Contains("table ip fleetvpn_lb\ndelete table ip fleetvpn_lb\ntable ip fleetvpn_lb {\n", text);
        Assert.Contains("elements = { 0 : 10.90.0.11, 1 : 10.90.0.12, 2 : 10.90.0.11, 3 : 10.90.0.12 }", text);
        Assert.Contains("elements = { 10.90.0.11, 10.90.0.12 }", text);
        Assert.Contains("ip daddr 10.77.0.1 udp dport 1194 notrack", text);
        Assert.Contains("ip saddr @nodes udp sport 1194 notrack", text);
        Assert.Contains("ip daddr 10.77.0.1 udp dport 1194 meta mark set jhash ip saddr mod 4 seed 0xf1ee7 ip daddr set meta mark map @buckets", text);
        Assert.Contains("ip saddr @nodes udp sport 1194 ip saddr set 10.77.0.1", text);
        Assert.Contains("# Written by fleetvpn lb: 2 node(s), 10.90.0.11 2 buckets, 10.90.0.12 2 buckets.", text);
    }

    [Fact]
    public void Address_port_hashing_adds_the_source_port()
    {
        var text = Render(LbHash.AddressPort, ["10.90.0.11", "10.90.0.12"]);

        Assert.Contains("jhash ip saddr . udp sport mod 2 seed 0xf1ee7", text);
    }

    [Fact]
    public void A_dead_node_keeps_its_return_rule_but_gets_no_bucket()
    {
        var text = Render(LbHash.Address, ["10.90.0.11", "10.90.0.11"]);

        Assert.Contains("elements = { 0 : 10.90.0.11, 1 : 10.90.0.11 }", text);
        Assert.Contains("elements = { 10.90.0.11, 10.90.0.12 }", text);
        Assert.Contains("10.90.0.12 0 buckets", text);
    }

    [Fact]
    public void A_bucket_naming_an_unknown_node_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Render(LbHash.Address, ["10.90.0.99"]));
    }
}
