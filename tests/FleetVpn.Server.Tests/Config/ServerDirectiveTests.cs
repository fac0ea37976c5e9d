using static FleetVpn.Server.Tests.Config.ConfigTestFiles;

namespace FleetVpn.Server.Tests.Config;

/// <summary>tran-window, client-config-dir, ccd-exclusive, mssfix, explicit-exit-notify, user, group, duplicate-cn, client-to-client, ifconfig-pool-persist and push.</summary>
public sealed class ServerDirectiveTests : IDisposable
{
    private const int FirstExtraLine = 5;

    private readonly TemporaryDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Defaults_without_the_directives()
    {
        var options = Parse(Minimal);

        Assert.Equal(3600, options.TransitionWindowSeconds);
        Assert.Null(options.ClientConfigDir);
        Assert.False(options.CcdExclusive);
        Assert.Equal(0, options.MssFix);
        Assert.False(options.ExplicitExitNotify);
        Assert.Null(options.User);
        Assert.Null(options.Group);
        Assert.False(options.DuplicateCn);
        Assert.False(options.ClientToClient);
        Assert.Null(options.IfconfigPoolPersistFile);
        Assert.Equal(600, options.IfconfigPoolPersistSeconds);
        Assert.Empty(options.Push);
    }

    [Fact]
    public void Each_directive_fills_its_option()
    {
        var ccd = Directory.CreateDirectory(Path.Combine(_temp.Path, "ccd")).FullName;

        var options = Parse(Minimal + $"""
            tran-window 120
            client-config-dir {ccd}
            ccd-exclusive
            mssfix 1400
            explicit-exit-notify 2
            user root
            group root
            duplicate-cn
            client-to-client
            ifconfig-pool-persist ipp.txt 30
            push "route 192.168.10.0 255.255.255.0"
            push "dhcp-option DNS 10.8.0.1"
            """);

        Assert.Equal(120, options.TransitionWindowSeconds);
        Assert.Equal(ccd, options.ClientConfigDir);
        Assert.True(options.CcdExclusive);
        Assert.Equal(1400, options.MssFix);
        Assert.True(options.ExplicitExitNotify);
        Assert.Equal("root", options.User);
        Assert.Equal("root", options.Group);
        Assert.True(options.DuplicateCn);
        Assert.True(options.ClientToClient);
        Assert.Equal(Path.Combine(KeysDirectory, "ipp.txt"), options.IfconfigPoolPersistFile);
        Assert.Equal(30, options.IfconfigPoolPersistSeconds);
        Assert.Equal(["route 192.168.10.0 255.255.255.0", "dhcp-option DNS 10.8.0.1"], options.Push);
    }

    [Fact]
    public void Client_config_dir_resolves_like_other_paths()
    {
        Directory.CreateDirectory(Path.Combine(_temp.Path, "ccd"));
        var options = Parse(Minimal + $"cd {_temp.Path}\nclient-config-dir ccd\n");
        Assert.Equal(Path.Combine(_temp.Path, "ccd"), options.ClientConfigDir);
    }

    [Fact]
    public void A_missing_client_config_dir_is_refused()
    {
        var error = Refuse(Minimal + "client-config-dir no-such-ccd\n");
        Assert.Equal($"server.conf:5: 'client-config-dir no-such-ccd': cannot use {Path.Combine(KeysDirectory, "no-such-ccd")}: No such file or directory", error.Message);
    }

    [Fact]
    public void A_client_config_dir_that_is_a_file_is_refused()
    {
        var error = Refuse(Minimal + "client-config-dir ca.crt\n");
        Assert.Equal(FirstExtraLine, error.Line);
        Assert.EndsWith("ca.crt: Not a directory", error.Reason);
    }

    [Fact]
    public void Ccd_exclusive_needs_client_config_dir()
    {
        var error = Refuse(Minimal + "ccd-exclusive\nverb 3\n");
        Assert.Equal("server.conf:5: 'ccd-exclusive': must be used with client-config-dir", error.Message);
    }

    [Theory]
    [InlineData("mssfix", 1492)]
    [InlineData("mssfix 0", 0)]
    [InlineData("mssfix 1300", 1300)]
    public void Mssfix_without_a_value_is_openvpns_default(string line, int expected) =>
        Assert.Equal(expected, Parse(Minimal + line + "\n").MssFix);

    [Theory]
    [InlineData("explicit-exit-notify", true)]
    [InlineData("explicit-exit-notify 1", true)]
    [InlineData("explicit-exit-notify 3", true)]
    [InlineData("explicit-exit-notify 0", false)]
    public void Explicit_exit_notify_is_on_for_a_positive_count(string line, bool expected) =>
        Assert.Equal(expected, Parse(Minimal + line + "\n").ExplicitExitNotify);

    [Fact]
    public void Ifconfig_pool_persist_keeps_the_default_interval_and_takes_0()
    {
        Assert.Equal(600, Parse(Minimal + "ifconfig-pool-persist /var/lib/fleetvpn/ipp.txt\n").IfconfigPoolPersistSeconds);
        Assert.Equal(0, Parse(Minimal + "ifconfig-pool-persist ipp.txt 0\n").IfconfigPoolPersistSeconds);
    }

    [Fact]
    public void Push_options_accumulate_in_order_from_file_and_command_line()
    {
        var options = Parse(Minimal + "push \"ping 10\"\npush 'route 10.1.0.0 255.255.0.0'\n", "--push", "redirect-gateway def1");
        Assert.Equal(["ping 10", "route 10.1.0.0 255.255.0.0", "redirect-gateway def1"], options.Push);
    }

    [Theory]
    [InlineData("tran-window 0", "tran-window must be at least 1, got 0")]
    [InlineData("tran-window", "expects 1 argument, got 0")]
    [InlineData("client-config-dir", "expects 1 argument, got 0")]
    [InlineData("ccd-exclusive yes", "expects no arguments, got 1")]
    [InlineData("mssfix -1", "mssfix: '-1' is not a non-negative integer")]
    [InlineData("mssfix 70000", "mssfix must be between 0 and 65535, got 70000")]
    [InlineData("mssfix 1400 mtu", "not supported yet: the 'mtu' flag (FleetVPN clamps the MSS to the given size only)")]
    [InlineData("mssfix 1400 fixed", "not supported yet: the 'fixed' flag (FleetVPN clamps the MSS to the given size only)")]
    [InlineData("mssfix 1400 max", "'max' is not a flag of mssfix (OpenVPN knows 'mtu' and 'fixed')")]
    [InlineData("mssfix 1 2 3", "expects 0 to 2 arguments, got 3")]
    [InlineData("explicit-exit-notify x", "explicit-exit-notify: 'x' is not a non-negative integer")]
    [InlineData("user fleetvpn-no-such-user-9f3", "unknown user 'fleetvpn-no-such-user-9f3' (not in /etc/passwd)")]
    [InlineData("group fleetvpn-no-such-group-9f3", "unknown group 'fleetvpn-no-such-group-9f3' (not in /etc/group)")]
    [InlineData("user", "expects 1 argument, got 0")]
    [InlineData("user root:root", "unknown user 'root:root' (not in /etc/passwd)")]
    [InlineData("group root extra", "expects 1 argument, got 2")]
    [InlineData("duplicate-cn 1", "expects no arguments, got 1")]
    [InlineData("client-to-client yes", "expects no arguments, got 1")]
    [InlineData("ifconfig-pool-persist", "expects 1 to 2 arguments, got 0")]
    [InlineData("ifconfig-pool-persist ipp.txt -5", "ifconfig-pool-persist interval: '-5' is not a non-negative integer")]
    [InlineData("push \"route 10.0.0.0 255.0.0.0,redirect-gateway\"", "illegal comma (',') in the pushed option: PUSH_REPLY separates options with commas; push each option on its own line")]
    [InlineData("push \"\"", "the pushed option is empty")]
    [InlineData("push route 10.0.0.0 255.0.0.0", "expects 1 argument, got 3")]
    [InlineData("push", "expects 1 argument, got 0")]
    public void Bad_values_are_refused_with_file_line_and_directive(string line, string reason)
    {
        var error = Refuse(Minimal + line + "\n");

        Assert.Equal("server.conf", error.File);
        Assert.Equal(FirstExtraLine, error.Line);
        Assert.Equal(line, error.Directive);
        Assert.Equal(reason, error.Reason);
        Assert.Equal($"server.conf:{FirstExtraLine}: '{line}': {reason}", error.Message);
    }

    [Fact]
    public void An_unknown_user_on_the_command_line_names_the_command_line()
    {
        var error = Refuse(Minimal, "--user", "fleetvpn-no-such-user-9f3");
        Assert.Equal("command-line: '--user fleetvpn-no-such-user-9f3': unknown user 'fleetvpn-no-such-user-9f3' (not in /etc/passwd)", error.Message);
    }
}
