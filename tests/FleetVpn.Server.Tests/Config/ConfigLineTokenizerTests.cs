using FleetVpn.Server.Config;

namespace FleetVpn.Server.Tests.Config;

public sealed class ConfigLineTokenizerTests
{
    private static List<string> Tokens(string line) => ConfigLineTokenizer.Tokenize(line, "server.conf", 3);

    [Theory]
    [InlineData("port 1194", new[] { "port", "1194" })]
    [InlineData("  server\t10.8.0.0   255.255.255.0  \r", new[] { "server", "10.8.0.0", "255.255.255.0" })]
    [InlineData("", new string[0])]
    [InlineData("   \t ", new string[0])]
    public void Whitespace_separates_tokens(string line, string[] expected) => Assert.Equal(expected, Tokens(line));

    [Theory]
    [InlineData("# a comment")]
    [InlineData("; a comment")]
    [InlineData("   # indented comment")]
    [InlineData(";port 1194")]
    public void Comment_lines_have_no_tokens(string line) => Assert.Empty(Tokens(line));

    [Theory]
    [InlineData("port 1194 # trailing", new[] { "port", "1194" })]
    [InlineData("port 1194 ;trailing", new[] { "port", "1194" })]
    [InlineData("status a#b", new[] { "status", "a#b" })] // only where a token starts
    [InlineData("status a;b", new[] { "status", "a;b" })]
    public void Comment_characters_start_a_comment_only_at_the_start_of_a_token(string line, string[] expected) =>
        Assert.Equal(expected, Tokens(line));

    [Theory]
    [InlineData("status \"my status.log\" 30", new[] { "status", "my status.log", "30" })]
    [InlineData("x \"a \\\"quoted\\\" word\"", new[] { "x", "a \"quoted\" word" })]
    [InlineData("x \"back\\\\slash\"", new[] { "x", "back\\slash" })]
    [InlineData("x \"a\\ b\"", new[] { "x", "a b" })]
    [InlineData("x \"# not a comment\"", new[] { "x", "# not a comment" })]
    [InlineData("x \"\"", new[] { "x", "" })]
    [InlineData("x \"a\"b", new[] { "x", "a", "b" })] // a closing quote ends the token, as in OpenVPN
    public void Double_quotes_group_with_escapes(string line, string[] expected) => Assert.Equal(expected, Tokens(line));

    [Theory]
    [InlineData("x 'a b'", new[] { "x", "a b" })]
    [InlineData("x 'C:\\dir\\file'", new[] { "x", "C:\\dir\\file" })]
    [InlineData("x 'say \"hi\"'", new[] { "x", "say \"hi\"" })]
    public void Single_quotes_group_without_escapes(string line, string[] expected) => Assert.Equal(expected, Tokens(line));

    [Theory]
    [InlineData("x a\\ b", new[] { "x", "a b" })]
    [InlineData("x a\\\\b", new[] { "x", "a\\b" })]
    [InlineData("x \\\"a", new[] { "x", "\"a" })]
    public void Backslash_escapes_outside_quotes(string line, string[] expected) => Assert.Equal(expected, Tokens(line));

    [Theory]
    [InlineData("x C:\\dir", "bad backslash")]
    [InlineData("x \"a\\nb\"", "bad backslash")]
    [InlineData("x \"open", "no closing quotation")]
    [InlineData("x 'open", "no closing single quotation")]
    [InlineData("x a\\", "backslash")]
    public void Malformed_lines_are_refused_with_their_line(string line, string reason)
    {
        var error = Assert.Throws<ConfigException>(() => Tokens(line));
        Assert.Equal("server.conf", error.File);
        Assert.Equal(3, error.Line);
        Assert.Contains(reason, error.Message);
        Assert.StartsWith("server.conf:3: ", error.Message);
    }
}
