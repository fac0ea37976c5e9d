using static FleetVpn.Server.Tests.Config.ConfigTestFiles;

namespace FleetVpn.Server.Tests.Config;

/// <summary>`fleet-node I K`: node I of K servers sharing the `server` network.</summary>
public sealed class FleetNodeDirectiveTests
{
    private const int FirstExtraLine = 5;

    [Fact]
    public void Without_the_directive_the_server_is_alone()
    {
        var options = Parse(Minimal);

        Assert.Equal(0, options.FleetNode);
        Assert.Equal(0, options.FleetNodes);
    }

    [Fact]
    public void Index_and_count_are_taken()
    {
        var options = Parse(Minimal.Replace("255.255.255.0", "255.255.0.0") + "fleet-node 2 3\n");

        Assert.Equal(2, options.FleetNode);
        Assert.Equal(3, options.FleetNodes);
    }

    [Theory]
    [InlineData("fleet-node 1", "expects 2 arguments, got 1")]
    [InlineData("fleet-node 0 3", "fleet-node index must be between 1 and 3, got 0")]
    [InlineData("fleet-node 4 3", "fleet-node index must be between 1 and 3, got 4")]
    [InlineData("fleet-node 1 256", "fleet-node count must be between 1 and 255, got 256")]
    [InlineData("fleet-node 1 x", "fleet-node count: 'x' is not a non-negative integer")]
    public void Bad_lines_are_refused_with_file_line_and_directive(string line, string reason)
    {
        AssertRefusedAt(Minimal + line + "\n", FirstExtraLine, line, reason);
    }

    [Fact]
    public void A_network_too_small_for_the_nodes_is_refused()
    {
        // A /24 cut into 8 blocks (7 nodes and the static block) leaves /27s; 8 nodes need 16 blocks: /28, still fine;
        // 32 nodes need 64 blocks: /30, too small.
        Assert.Equal(8, Parse(Minimal + "fleet-node 1 8\n").FleetNodes);
        AssertRefusedAt(Minimal + "fleet-node 1 32\n", FirstExtraLine, "fleet-node 1 32",
            "the /24 'server' network cut for 32 nodes leaves /30 blocks; use a /23 or larger network");
    }
}
