using FleetVpn.Server.Management;

namespace FleetVpn.Server.Tests.Management;

public sealed class ManagementCommandLineTests
{
    [Theory]
    [InlineData("status", new[] { "status" })]
    [InlineData("  status   2 ", new[] { "status", "2" })]
    [InlineData("client-kill 7 HALT\r", new[] { "client-kill", "7", "HALT" })]
    [InlineData("kill \"cn with spaces\"", new[] { "kill", "cn with spaces" })]
    [InlineData("kill \"a \\\"quoted\\\" cn\"", new[] { "kill", "a \"quoted\" cn" })]
    [InlineData("kill 'single \\ quoted'", new[] { "kill", "single \\ quoted" })]
    [InlineData("log\ton\tall", new[] { "log", "on", "all" })]
    [InlineData("", new string[0])]
    public void Splits_words_as_openvpn_parse_line(string line, string[] words)
    {
        Assert.Equal(words, ManagementCommandLine.Split(line));
    }

    [Theory]
    [InlineData("kill \"unterminated")]
    [InlineData("kill 'unterminated")]
    public void An_unclosed_quote_is_no_command(string line)
    {
        Assert.Null(ManagementCommandLine.Split(line));
    }
}
