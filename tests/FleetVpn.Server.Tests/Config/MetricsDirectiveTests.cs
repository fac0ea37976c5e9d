using System.Net;
using static FleetVpn.Server.Tests.Config.ConfigTestFiles;

namespace FleetVpn.Server.Tests.Config;

/// <summary>`metrics ADDRESS PORT`: where /metrics is served.</summary>
public sealed class MetricsDirectiveTests
{
    private const int FirstExtraLine = 5;

    [Fact]
    public void Without_the_directive_no_metrics_are_served()
    {
        Assert.Null(Parse(Minimal).MetricsEndPoint);
    }

    [Theory]
    [InlineData("metrics 127.0.0.1 9469", "127.0.0.1", 9469)]
    [InlineData("metrics 0.0.0.0 80", "0.0.0.0", 80)]
    [InlineData("metrics ::1 9469", "::1", 9469)]
    public void Address_and_port_are_taken(string line, string address, int port)
    {
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), port), Parse(Minimal + line + "\n").MetricsEndPoint);
    }

    [Fact]
    public void The_command_line_overrides_the_file()
    {
        var options = Parse(Minimal + "metrics 127.0.0.1 9469\n", "--metrics", "127.0.0.2", "9470");

        Assert.Equal(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 9470), options.MetricsEndPoint);
    }

    [Theory]
    [InlineData("metrics", "expects 2 arguments, got 0")]
    [InlineData("metrics 127.0.0.1", "expects 2 arguments, got 1")]
    [InlineData("metrics localhost 9469", "'localhost' is not an IP address (e.g. metrics 127.0.0.1 9469)")]
    [InlineData("metrics 127.1 9469", "'127.1' is not an IP address (e.g. metrics 127.0.0.1 9469)")]
    [InlineData("metrics 127.0.0.1 0", "metrics port must be between 1 and 65535, got 0")]
    [InlineData("metrics 127.0.0.1 70000", "metrics port must be between 1 and 65535, got 70000")]
    [InlineData("metrics 127.0.0.1 http", "metrics port: 'http' is not a non-negative integer")]
    public void Bad_lines_are_refused_with_file_line_and_directive(string line, string reason)
    {
        AssertRefusedAt(Minimal + line + "\n", FirstExtraLine, line, reason);
    }
}
