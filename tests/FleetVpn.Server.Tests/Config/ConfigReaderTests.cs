using FleetVpn.Server.Config;

namespace FleetVpn.Server.Tests.Config;

public sealed class ConfigReaderTests
{
    [Fact]
    public void Directives_keep_their_line_numbers_and_drop_a_leading_double_dash()
    {
        var directives = ConfigReader.ReadText("# comment\n\n--port 1195\nverb 4\n", "server.conf").ToList();

        Assert.Equal(2, directives.Count);
        Assert.Equal("port", directives[0].Name);
        Assert.Equal(["1195"], directives[0].Arguments);
        Assert.Equal(3, directives[0].Line);
        Assert.Equal("verb", directives[1].Name);
        Assert.Equal(4, directives[1].Line);
    }

    [Fact]
    public void A_byte_order_mark_on_the_first_line_is_ignored()
    {
        var directive = Assert.Single(ConfigReader.ReadText("\uFEFFport 1195\n", "server.conf"));
        Assert.Equal("port", directive.Name);
    }

    [Fact]
    public void Crlf_line_ends_are_whitespace()
    {
        var directive = Assert.Single(ConfigReader.ReadText("port 1195\r\n", "server.conf"));
        Assert.Equal(["1195"], directive.Arguments);
    }

    [Fact]
    public void An_inline_block_holds_the_lines_up_to_its_end_tag_and_later_lines_keep_their_numbers()
    {
        var text = "port 1\n<ca>\n-----BEGIN CERTIFICATE-----\n  # kept as is\n-----END CERTIFICATE-----\n  </ca>\nverb 4\n";

        var directives = ConfigReader.ReadText(text, "server.conf").ToList();

        Assert.Equal(3, directives.Count);
        var ca = directives[1];
        Assert.Equal("ca", ca.Name);
        Assert.True(ca.IsInline);
        Assert.Empty(ca.Arguments);
        Assert.Equal(2, ca.Line);
        Assert.Equal("-----BEGIN CERTIFICATE-----\n  # kept as is\n-----END CERTIFICATE-----\n", ca.InlineContent);
        Assert.Equal("<ca>", ca.ToString());
        Assert.Equal(7, directives[2].Line);
    }

    [Fact]
    public void An_inline_block_without_its_end_tag_is_refused_at_the_opening_tag()
    {
        var error = Assert.Throws<ConfigException>(() => ConfigReader.ReadText("verb 1\n<key>\nabc\n</ca>\n", "server.conf").ToList());
        Assert.Equal(2, error.Line);
        Assert.Equal("server.conf:2: '<key>': end tag </key> missing", error.Message);
    }

    [Fact]
    public void Errors_surface_in_file_order()
    {
        var directives = ConfigReader.ReadText("port 1\nx \"unclosed\n", "server.conf");
        using var walk = directives.GetEnumerator();
        Assert.True(walk.MoveNext());
        Assert.Equal("port", walk.Current.Name);
        Assert.Throws<ConfigException>(() => walk.MoveNext());
    }

    [Fact]
    public void Command_line_options_take_the_arguments_up_to_the_next_option()
    {
        var directives = ConfigReader.ReadCommandLine(["--port", "1195", "--persist-key", "--keepalive", "5", "30"]).ToList();

        Assert.Equal(["port", "persist-key", "keepalive"], directives.Select(d => d.Name));
        Assert.Equal(["5", "30"], directives[2].Arguments);
        Assert.All(directives, d => Assert.Equal(("command-line", 0, true), (d.File, d.Line, d.FromCommandLine)));
        Assert.Equal("--keepalive 5 30", directives[2].ToString());
    }

    [Fact]
    public void A_command_line_token_that_is_not_an_option_is_refused()
    {
        var error = Assert.Throws<ConfigException>(() => ConfigReader.ReadCommandLine(["1195"]).ToList());
        Assert.Equal("command-line", error.File);
        Assert.Equal(0, error.Line);
        Assert.StartsWith("command-line: '1195': ", error.Message);
    }
}
