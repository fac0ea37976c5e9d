using FleetVpn.LoadBalancer;

namespace FleetVpn.LoadBalancer.Tests;

public sealed class LbNodeListTests
{
    [Fact]
    public void Nodes_are_read_with_comments_and_blank_lines_skipped()
    {
        var nodes = LbNodeList.Parse("# fleet\n10.90.0.11 http://10.90.0.11:9469/health\n\n  10.90.0.12   http://10.90.0.12:9469/health  \n", "nodes");

        Assert.Equal(["10.90.0.11", "10.90.0.12"], nodes.Select(n => n.Id));
        Assert.Equal("http://10.90.0.12:9469/health", nodes[1].HealthUrl.ToString());
    }

    [Theory]
    [InlineData("10.90.0.11", "nodes:1: '10.90.0.11': expects ADDRESS HEALTH-URL")]
    [InlineData("10.90.11 http://x/health", "nodes:1: '10.90.11 http://x/health': '10.90.11' is not an IPv4 address")]
    [InlineData("10.90.0.11 ftp://x/health", "nodes:1: '10.90.0.11 ftp://x/health': 'ftp://x/health' is not an http:// URL")]
    [InlineData("# only a comment", "nodes: lists no node")]
    [InlineData("10.90.0.11 http://a/health\n10.90.0.11 http://b/health", "nodes:2: '10.90.0.11 http://b/health': 10.90.0.11 is listed twice")]
    public void Bad_lines_are_refused_with_file_and_line(string text, string message)
    {
        Assert.Equal(message, Assert.Throws<FormatException>(() => LbNodeList.Parse(text, "nodes")).Message);
    }
}
