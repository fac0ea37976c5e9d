using FleetVpn.Server.Config;
using static FleetVpn.Server.Tests.Config.ConfigTestFiles;

namespace FleetVpn.Server.Tests.Config;

/// <summary>connect-freq-initial, connect-freq and connect-freq-per-source.</summary>
public sealed class ConnectFreqDirectiveTests
{
    private const int FirstExtraLine = 5;

    [Fact]
    public void Defaults_are_openvpns_100_initial_replies_per_10_s_no_connect_freq_and_10_per_source()
    {
        var options = Parse(Minimal);

        Assert.Equal(new ConnectRate(100, 10), options.ConnectFreqInitial);
        Assert.Null(options.ConnectFreq);
        Assert.Equal(10, options.ConnectFreqPerSource);
    }

    [Fact]
    public void Each_directive_sets_its_limit_and_the_command_line_overrides_it()
    {
        var options = Parse(Minimal + "connect-freq-initial 500 20\nconnect-freq 50 5\nconnect-freq-per-source 3\n");

        Assert.Equal(new ConnectRate(500, 20), options.ConnectFreqInitial);
        Assert.Equal(new ConnectRate(50, 5), options.ConnectFreq);
        Assert.Equal(3, options.ConnectFreqPerSource);
        Assert.Equal(new ConnectRate(7, 1), Parse(Minimal + "connect-freq 50 5\n", "--connect-freq", "7", "1").ConnectFreq);
    }

    [Fact]
    public void Zero_initial_replies_and_zero_per_source_are_allowed()
    {
        var options = Parse(Minimal + "connect-freq-initial 0 10\nconnect-freq-per-source 0\n");

        Assert.Equal(0, options.ConnectFreqInitial.Count);
        Assert.Equal(0, options.ConnectFreqPerSource);
    }

    [Theory]
    [InlineData("connect-freq-initial 100", "expects 2 arguments, got 1")]
    [InlineData("connect-freq-initial 100 10 5", "expects 2 arguments, got 3")]
    [InlineData("connect-freq-initial -1 10", "connect-freq-initial N: '-1' is not a non-negative integer")]
    [InlineData("connect-freq-initial 100 0", "connect-freq-initial SEC must be at least 1, got 0")]
    [InlineData("connect-freq 0 10", "connect-freq N must be at least 1, got 0")]
    [InlineData("connect-freq ten 10", "connect-freq N: 'ten' is not a non-negative integer")]
    [InlineData("connect-freq 10 x", "connect-freq SEC: 'x' is not a non-negative integer")]
    [InlineData("connect-freq-per-source", "expects 1 argument, got 0")]
    [InlineData("connect-freq-per-source -2", "connect-freq-per-source: '-2' is not a non-negative integer")]
    public void Bad_values_are_refused_with_file_line_and_directive(string line, string reason)
    {
        var error = Refuse(Minimal + line + "\n");

        Assert.Equal(FirstExtraLine, error.Line);
        Assert.Equal(line, error.Directive);
        Assert.Equal(reason, error.Reason);
    }
}
