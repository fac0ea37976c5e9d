using static FleetVpn.Server.Tests.Config.ConfigTestFiles;

namespace FleetVpn.Server.Tests.Config;

/// <summary>`rcvbuf N` / `sndbuf N`: the buffers each worker socket asks for instead of FleetVPN's 4 MiB.</summary>
public sealed class SocketBufferDirectiveTests
{
    private const int FirstExtraLine = 5;

    [Fact]
    public void Without_them_the_sockets_ask_for_the_default()
    {
        var options = Parse(Minimal);

        Assert.Null(options.ReceiveBufferBytes);
        Assert.Null(options.SendBufferBytes);
    }

    [Fact]
    public void Each_sets_its_own_buffer()
    {
        var options = Parse(Minimal + "rcvbuf 16777216\nsndbuf 1048576\n");

        Assert.Equal(16777216, options.ReceiveBufferBytes);
        Assert.Equal(1048576, options.SendBufferBytes);
    }

    [Theory]
    [InlineData("rcvbuf 0", "rcvbuf must be between 1 and 1073741824, got 0")]
    [InlineData("sndbuf 2147483647", "sndbuf must be between 1 and 1073741824, got 2147483647")]
    [InlineData("rcvbuf big", "rcvbuf: 'big' is not a non-negative integer")]
    [InlineData("sndbuf", "expects 1 argument, got 0")]
    public void Bad_lines_are_refused_with_file_line_and_directive(string line, string reason)
    {
        AssertRefusedAt(Minimal + line + "\n", FirstExtraLine, line, reason);
    }
}
