using System.Net;
using FleetVpn.Server.Config;

namespace FleetVpn.Server.Tests.Config;

public sealed class ClientConfigDirectoryTests : IDisposable
{
    private readonly TemporaryDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Dir => _temp.Path;

    [Fact]
    public void The_common_name_file_comes_first()
    {
        _temp.File("device-1", "ifconfig-push 10.8.0.11 255.255.255.0\n");
        _temp.File("DEFAULT", "disable\n");

        Assert.True(ClientConfigDirectory.TryLoad(Dir, "device-1", out var config));
        Assert.Equal(IPAddress.Parse("10.8.0.11"), config.IfconfigPush!.Address);
        Assert.False(config.Disable);
    }

    [Fact]
    public void Default_is_used_when_the_common_name_has_no_file()
    {
        _temp.File("device-1", "ifconfig-push 10.8.0.11 255.255.255.0\n");
        _temp.File("DEFAULT", "push \"ping 20\"\n");

        Assert.True(ClientConfigDirectory.TryLoad(Dir, "device-2", out var config));
        Assert.Equal(["ping 20"], config.Push);
    }

    [Fact]
    public void Neither_file_means_no_config()
    {
        _temp.File("device-1", "disable\n");

        Assert.False(ClientConfigDirectory.TryLoad(Dir, "device-2", out var config));
        Assert.Null(config);
    }

    [Fact]
    public void An_empty_file_is_a_config_with_nothing_in_it()
    {
        _temp.File("device-1", "");
        Assert.True(ClientConfigDirectory.TryLoad(Dir, "device-1", out var config));
        Assert.Same(ClientConfig.Empty, config);
    }

    [Fact]
    public void A_bad_file_throws_with_its_path_and_line()
    {
        var path = _temp.File("device-1", "# ok\nifconfig-push 10.8.0.300 255.255.255.0\n");

        var error = Assert.Throws<ConfigException>(() => ClientConfigDirectory.TryLoad(Dir, "device-1", out _));

        Assert.Equal(path, error.File);
        Assert.Equal(2, error.Line);
        Assert.Equal("ifconfig-push 10.8.0.300 255.255.255.0", error.Directive);
    }

    [Fact]
    public void A_bad_default_file_throws_too()
    {
        var path = _temp.File("DEFAULT", "client-to-client\n");
        var error = Assert.Throws<ConfigException>(() => ClientConfigDirectory.TryLoad(Dir, "anyone", out _));
        Assert.Equal($"{path}:1: 'client-to-client': not supported in client-config-dir files", error.Message);
    }

    [Fact]
    public void A_directory_named_like_the_client_is_not_its_file()
    {
        Directory.CreateDirectory(Path.Combine(Dir, "device-1"));
        _temp.File("DEFAULT", "disable\n");

        Assert.True(ClientConfigDirectory.TryLoad(Dir, "device-1", out var config));
        Assert.True(config.Disable);
    }

    [Fact]
    public void A_missing_directory_means_no_config() =>
        Assert.False(ClientConfigDirectory.TryLoad(Path.Combine(Dir, "gone"), "device-1", out _));

    [Theory]
    [InlineData("device-1", "device-1")]
    [InlineData("DEFAULT", "DEFAULT")]
    [InlineData("a/b", "a_b")]
    [InlineData("../../etc/passwd", ".._.._etc_passwd")]
    [InlineData("/etc/passwd", "_etc_passwd")]
    [InlineData("/", "_")]
    [InlineData("a\tb\rc\nd\u007Fe\u001Bf", "a_b_c_d_e_f")]
    [InlineData("..x", "..x")]
    [InlineData("a..b", "a..b")]
    [InlineData("back\\slash", "back\\slash")] // not a separator on Linux; OpenVPN keeps it too
    [InlineData("Gerät Nr. 7 @ site:1", "Gerät Nr. 7 @ site:1")]
    public void Common_names_map_to_file_names_as_platform_gen_path_does(string commonName, string fileName) =>
        Assert.Equal(fileName, ClientConfigDirectory.FileNameFor(commonName));

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("dev\0ice")]
    [InlineData("\0")]
    public void Some_common_names_name_no_file(string commonName) =>
        Assert.Null(ClientConfigDirectory.FileNameFor(commonName));

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("")]
    [InlineData("device-1\0")]
    public void A_common_name_that_names_no_file_falls_back_to_default(string commonName)
    {
        _temp.File("device-1", "disable\n");
        _temp.File("DEFAULT", "push \"ping 30\"\n");

        Assert.True(ClientConfigDirectory.TryLoad(Dir, commonName, out var config));
        Assert.Equal(["ping 30"], config.Push);
    }

    [Fact]
    public void A_common_name_cannot_reach_a_file_outside_the_directory()
    {
        var ccd = Directory.CreateDirectory(Path.Combine(Dir, "ccd")).FullName;
        _temp.File("secret", "disable\n"); // beside ccd/, not in it

        Assert.False(ClientConfigDirectory.TryLoad(ccd, "../secret", out _));
        Assert.False(ClientConfigDirectory.TryLoad(ccd, "..", out _));
    }

    [Fact]
    public void A_slash_in_the_common_name_finds_the_file_with_an_underscore()
    {
        _temp.File("OU=fleet_device-1", "ifconfig-push 10.8.0.12 255.255.255.0\n");
        Assert.True(ClientConfigDirectory.TryLoad(Dir, "OU=fleet/device-1", out var config));
        Assert.Equal(IPAddress.Parse("10.8.0.12"), config.IfconfigPush!.Address);
    }
}
