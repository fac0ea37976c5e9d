using System.Net;
using FleetVpn.Server.Config;

namespace FleetVpn.Server.Tests.Config;

public sealed class ClientConfigFileTests : IDisposable
{
    private const string FileName = "ccd/device-0001";

    private readonly TemporaryDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static ClientConfig Parse(string text) => ClientConfigFile.ParseText(text, FileName);

    private static ConfigException Refuse(string text) => Assert.Throws<ConfigException>(() => Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("\n\n")]
    [InlineData("# only a comment\n; and another\n   \n")]
    [InlineData("\uFEFF# byte order mark, then a comment\n")]
    public void Empty_and_comment_only_files_give_an_empty_config(string text)
    {
        var config = Parse(text);

        Assert.Same(ClientConfig.Empty, config);
        Assert.Null(config.IfconfigPush);
        Assert.Empty(config.Push);
        Assert.False(config.PushReset);
        Assert.False(config.Disable);
        Assert.Empty(config.IRoutes);
    }

    [Fact]
    public void Every_supported_directive_fills_its_field()
    {
        var config = Parse("""
            # device 0001: fixed address, its LAN behind it
            ifconfig-push 10.8.0.50 255.255.255.0
            push-reset
            push "route 192.168.50.0 255.255.255.0"
            push 'dhcp-option DNS 10.8.0.1'   # trailing comment
            iroute 192.168.50.0 255.255.255.0
            iroute 10.20.30.40
            --disable
            """);

        Assert.Equal(new ClientIfconfigPush(IPAddress.Parse("10.8.0.50"), IPAddress.Parse("255.255.255.0")), config.IfconfigPush);
        Assert.Equal(24, config.IfconfigPush!.PrefixLength);
        Assert.True(config.PushReset);
        Assert.Equal(["route 192.168.50.0 255.255.255.0", "dhcp-option DNS 10.8.0.1"], config.Push);
        Assert.True(config.Disable);
        Assert.Equal(
            [
                new ClientIRoute(IPAddress.Parse("192.168.50.0"), IPAddress.Parse("255.255.255.0")),
                new ClientIRoute(IPAddress.Parse("10.20.30.40"), IPAddress.Parse("255.255.255.255")),
            ],
            config.IRoutes);
        Assert.Equal(32, config.IRoutes[1].PrefixLength);
    }

    [Fact]
    public void Push_reset_drops_the_pushes_before_it()
    {
        var config = Parse("push \"ping 5\"\npush-reset\npush \"ping 10\"\n");
        Assert.True(config.PushReset);
        Assert.Equal(["ping 10"], config.Push);
    }

    [Fact]
    public void The_last_ifconfig_push_wins() =>
        Assert.Equal(IPAddress.Parse("10.8.0.9"), Parse("ifconfig-push 10.8.0.8 255.255.255.0\nifconfig-push 10.8.0.9 255.255.255.0\n").IfconfigPush!.Address);

    [Theory]
    [InlineData("iroute 0.0.0.0 0.0.0.0", 0)]
    [InlineData("iroute 10.0.0.0 255.0.0.0", 8)]
    [InlineData("iroute 172.16.4.0 255.255.252.0", 22)]
    public void Iroute_takes_any_network_that_matches_its_mask(string line, int prefix) =>
        Assert.Equal(prefix, Assert.Single(Parse(line + "\n").IRoutes).PrefixLength);

    [Theory]
    [InlineData("ifconfig-push 10.8.0.50 255.255.255.255")] // /32: no network or broadcast address to avoid
    [InlineData("ifconfig-push 10.8.0.0 255.255.255.254")] // /31
    [InlineData("ifconfig-push 10.9.3.0 255.255.0.0")] // .0 inside a /16 is a host address
    public void Ifconfig_push_accepts_host_addresses(string line) =>
        Assert.NotNull(Parse(line + "\n").IfconfigPush);

    [Theory]
    [InlineData("ifconfig-push 10.8.0.50", "expects 2 to 3 arguments, got 1")]
    [InlineData("ifconfig-push 10.8.0.50 255.255.255.0 10.8.0.51", "not supported: the third argument (alias address)")]
    [InlineData("ifconfig-push 10.8.0.300 255.255.255.0", "'10.8.0.300' is not an IPv4 address")]
    [InlineData("ifconfig-push device.example 255.255.255.0", "'device.example' is not an IPv4 address")]
    [InlineData("ifconfig-push fd00::5 255.255.255.0", "'fd00::5' is not an IPv4 address")]
    [InlineData("ifconfig-push 10.8.0.50 255.0.255.0", "255.0.255.0 is not a netmask (with topology subnet the second value is the client's netmask, e.g. 255.255.255.0)")]
    [InlineData("ifconfig-push 10.8.0.50 10.8.0.49", "10.8.0.49 is not a netmask (with topology subnet the second value is the client's netmask, e.g. 255.255.255.0)")]
    [InlineData("ifconfig-push 10.8.0.50 0.0.0.0", "0.0.0.0 is not a netmask (with topology subnet the second value is the client's netmask, e.g. 255.255.255.0)")]
    [InlineData("ifconfig-push 0.0.0.0 255.255.255.0", "0.0.0.0 cannot be a client address")]
    [InlineData("ifconfig-push 10.8.0.0 255.255.255.0", "10.8.0.0 is the network address of netmask 255.255.255.0, not a client address")]
    [InlineData("ifconfig-push 10.8.0.255 255.255.255.0", "10.8.0.255 is the broadcast address of netmask 255.255.255.0, not a client address")]
    [InlineData("iroute", "expects 1 to 2 arguments, got 0")]
    [InlineData("iroute 192.168.50.1 255.255.255.0", "192.168.50.1 is not the network address of netmask 255.255.255.0 (did you mean 192.168.50.0?)")]
    [InlineData("iroute 192.168.50.0 255.255.0.255", "255.255.0.255 is not a netmask")]
    [InlineData("iroute 192.168.50.0/24", "'192.168.50.0/24' is not an IPv4 address")]
    [InlineData("iroute 192.168.50.0 255.255.255.0 extra", "expects 1 to 2 arguments, got 3")]
    [InlineData("push \"route 10.1.0.0 255.255.0.0,ping 5\"", "illegal comma (',') in the pushed option: PUSH_REPLY separates options with commas; push each option on its own line")]
    [InlineData("push", "expects 1 argument, got 0")]
    [InlineData("push \"\"", "the pushed option is empty")]
    [InlineData("push-reset now", "expects no arguments, got 1")]
    [InlineData("disable yes", "expects no arguments, got 1")]
    public void Bad_lines_are_refused_with_file_line_and_directive(string line, string reason)
    {
        var error = Refuse("# first line\n" + line + "\n");

        Assert.Equal(FileName, error.File);
        Assert.Equal(2, error.Line);
        Assert.Equal(line, error.Directive);
        Assert.Equal(reason, error.Reason);
        Assert.Equal($"{FileName}:2: '{line}': {reason}", error.Message);
    }

    [Theory]
    [InlineData("ifconfig-ipv6-push fd00::50/64")]
    [InlineData("iroute-ipv6 fd00:50::/64")]
    [InlineData("push-remove route")]
    [InlineData("config other.conf")]
    [InlineData("setenv FOO bar")]
    [InlineData("echo hello")]
    [InlineData("port 1194")]
    [InlineData("server 10.8.0.0 255.255.255.0")]
    [InlineData("Disable")] // names are case-sensitive, as in OpenVPN
    [InlineData("<ca>\n-----BEGIN CERTIFICATE-----\n</ca>")]
    public void Other_directives_are_not_supported_in_client_config_dir_files(string lines)
    {
        var error = Refuse("disable\n" + lines + "\n");

        Assert.Equal(FileName, error.File);
        Assert.Equal(2, error.Line);
        Assert.Equal(ClientConfigFile.NotSupportedReason, error.Reason);
        Assert.Equal("not supported in client-config-dir files", error.Reason);
        Assert.Equal(lines.StartsWith('<') ? "<ca>" : lines, error.Directive);
    }

    [Fact]
    public void Tokenizer_errors_carry_the_file_and_line()
    {
        var error = Refuse("disable\npush \"route 10.0.0.0 255.0.0.0\n");
        Assert.Equal(FileName, error.File);
        Assert.Equal(2, error.Line);
        Assert.Contains("no closing quotation", error.Reason);
    }

    [Fact]
    public void Parse_reads_a_file_and_names_it_in_errors()
    {
        var good = _temp.File("good", "ifconfig-push 10.8.0.7 255.255.255.0\n");
        var bad = _temp.File("bad", "\n\nroute 10.0.0.0 255.0.0.0\n");

        Assert.Equal(IPAddress.Parse("10.8.0.7"), ClientConfigFile.Parse(good).IfconfigPush!.Address);
        var error = Assert.Throws<ConfigException>(() => ClientConfigFile.Parse(bad));
        Assert.Equal($"{bad}:3: 'route 10.0.0.0 255.0.0.0': not supported in client-config-dir files", error.Message);
    }

    [Fact]
    public void Parse_reports_a_missing_file_with_the_os_reason()
    {
        var path = Path.Combine(_temp.Path, "missing");
        var error = Assert.Throws<ConfigException>(() => ClientConfigFile.Parse(path));
        Assert.Equal(path, error.File);
        Assert.Equal(0, error.Line);
        Assert.Equal("cannot read the client-config-dir file: No such file or directory", error.Reason);
    }
}
