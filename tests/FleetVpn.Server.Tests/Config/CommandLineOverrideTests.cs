using FleetVpn.Server.Config;
using static FleetVpn.Server.Tests.Config.ConfigTestFiles;

namespace FleetVpn.Server.Tests.Config;

public sealed class CommandLineOverrideTests
{
    [Fact]
    public void Overrides_apply_after_the_file()
    {
        var options = Parse(Minimal + "port 1194\nverb 3\n", "--port", "1195", "--verb", "4");

        Assert.Equal(1195, options.Port);
        Assert.Equal(4, options.Verb);
    }

    [Fact]
    public void Overrides_may_supply_a_required_directive()
    {
        var withoutServer = string.Join('\n', Minimal.Split('\n').Where(l => !l.StartsWith("server ", StringComparison.Ordinal)));
        var options = Parse(withoutServer, "--server", "10.9.0.0", "255.255.0.0");
        Assert.Equal(System.Net.IPAddress.Parse("10.9.0.0"), options.ServerNetwork);
    }

    [Fact]
    public void Overrides_may_replace_the_cert_and_key_pair()
    {
        var options = Parse(Minimal, "--cert", "client.crt", "--key", "client.key");
        Assert.Equal("CN=test-client", options.ServerCertificate!.Subject);
    }

    [Fact]
    public void Override_flags_take_no_value()
    {
        var options = Parse(Minimal, "--persist-key", "--keepalive", "10", "60", "--persist-tun");
        Assert.True(options.PersistKey);
        Assert.True(options.PersistTun);
        Assert.Equal(60, options.KeepaliveRestart);
    }

    [Fact]
    public void Errors_in_overrides_name_the_command_line()
    {
        var error = Refuse(Minimal, "--port", "1195", "--comp-lzo", "yes");

        Assert.Equal("command-line", error.File);
        Assert.Equal(0, error.Line);
        Assert.Equal("--comp-lzo yes", error.Directive);
        Assert.StartsWith("command-line: '--comp-lzo yes': not supported", error.Message);
    }

    [Fact]
    public void Errors_in_the_file_come_before_errors_in_overrides()
    {
        var error = Refuse(Minimal + "port x\n", "--port", "y");
        Assert.Equal("server.conf", error.File);
    }

    [Fact]
    public void Unknown_overrides_are_not_supported() =>
        Assert.Contains("not supported", Refuse(Minimal, "--tls-crypt-v2-verify", "/usr/bin/true").Reason);
}
