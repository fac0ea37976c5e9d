using System.Net;
using FleetVpn.Server.Config;
using static FleetVpn.Server.Tests.Config.ConfigTestFiles;

namespace FleetVpn.Server.Tests.Config;

public sealed class ServerConfigParserTests
{
    [Fact]
    public void The_minimal_config_gives_openvpn_defaults()
    {
        var options = Parse(Minimal);

        Assert.Equal(UdpAddressFamily.Any, options.AddressFamily);
        Assert.Null(options.Local);
        Assert.Equal(1194, options.Port);
        Assert.Equal("tun", options.Device);
        Assert.Equal(1500, options.TunMtu);
        Assert.True(options.HasServer);
        Assert.Equal(IPAddress.Parse("10.8.0.0"), options.ServerNetwork);
        Assert.Equal(IPAddress.Parse("255.255.255.0"), options.ServerNetmask);
        Assert.Equal(0, options.KeepalivePing);
        Assert.Equal(1, options.Verb);
        Assert.Equal(0, options.Mute);
        Assert.Equal(3600, options.RenegSeconds);
        Assert.Equal(1024, options.MaxClients);
        Assert.Equal(["AES-256-GCM", "AES-128-GCM", "CHACHA20-POLY1305"], options.DataCiphers);
        Assert.False(options.RemoteCertTlsClient);
        Assert.Null(options.StatusFile);
        Assert.Equal(60, options.StatusIntervalSeconds);
        Assert.False(options.PersistKey);
        Assert.False(options.PersistTun);
        Assert.False(options.CompLzoNo);
        Assert.Equal(60, options.HandWindowSeconds);
        Assert.Equal(2, options.TlsTimeoutSeconds);
        Assert.Single(options.CaCertificates);
        Assert.NotNull(options.ServerCertificate);
        Assert.Empty(options.ServerCertificateChain);
    }

    [Fact]
    public void Every_supported_directive_fills_its_option()
    {
        var options = Parse(Minimal + """
            mode server
            tls-server
            proto udp4
            port 1195
            local 127.0.0.1
            dev tun7
            dev-type tun
            tun-mtu 1400
            topology subnet
            keepalive 10 60
            persist-key
            persist-tun
            comp-lzo no
            verb 4
            mute 20
            reneg-sec 7200
            max-clients 100000
            dh none
            data-ciphers chacha20-poly1305:AES-128-GCM
            remote-cert-tls client
            status openvpn-status.log 15
            hand-window 30
            tls-timeout 3
            """);

        Assert.Equal(UdpAddressFamily.IPv4, options.AddressFamily);
        Assert.Equal(1195, options.Port);
        Assert.Equal(IPAddress.Loopback, options.Local);
        Assert.Equal("tun7", options.Device);
        Assert.Equal(1400, options.TunMtu);
        Assert.Equal(10, options.KeepalivePing);
        Assert.Equal(60, options.KeepaliveRestart);
        Assert.True(options.PersistKey);
        Assert.True(options.PersistTun);
        Assert.True(options.CompLzoNo);
        Assert.Equal(4, options.Verb);
        Assert.Equal(20, options.Mute);
        Assert.Equal(7200, options.RenegSeconds);
        Assert.Equal(100000, options.MaxClients);
        Assert.Equal(["CHACHA20-POLY1305", "AES-128-GCM"], options.DataCiphers);
        Assert.True(options.RemoteCertTlsClient);
        Assert.Equal(Path.Combine(KeysDirectory, "openvpn-status.log"), options.StatusFile);
        Assert.Equal(15, options.StatusIntervalSeconds);
        Assert.Equal(30, options.HandWindowSeconds);
        Assert.Equal(3, options.TlsTimeoutSeconds);
    }

    [Theory]
    [InlineData("udp", UdpAddressFamily.Any)]
    [InlineData("udp4", UdpAddressFamily.IPv4)]
    [InlineData("udp6", UdpAddressFamily.IPv6)]
    public void Proto_selects_the_address_family(string proto, UdpAddressFamily family) =>
        Assert.Equal(family, Parse(Minimal + $"proto {proto}\n").AddressFamily);

    [Fact]
    public void Local_takes_an_ipv6_address() =>
        Assert.Equal(IPAddress.IPv6Loopback, Parse(Minimal + "proto udp6\nlocal ::1\n").Local);

    [Theory]
    [InlineData("10.8.0.0 255.255.255.0")]
    [InlineData("10.8.0.0 255.255.255.248")] // /29: the smallest OpenVPN allows with dev tun
    [InlineData("100.64.0.0 255.192.0.0")] // /10: bigger than OpenVPN's /16 limit, for large fleets
    [InlineData("172.16.0.0 255.240.0.0")]
    public void Server_accepts_network_and_netmask_pairs(string arguments)
    {
        var parts = arguments.Split(' ');
        var options = Parse(Minimal + $"server {arguments}\n");
        Assert.Equal(IPAddress.Parse(parts[0]), options.ServerNetwork);
        Assert.Equal(IPAddress.Parse(parts[1]), options.ServerNetmask);
    }

    [Fact]
    public void Ncp_ciphers_is_an_alias_of_data_ciphers() =>
        Assert.Equal(["AES-128-GCM"], Parse(Minimal + "ncp-ciphers aes-128-gcm\n").DataCiphers);

    [Fact]
    public void Optional_ciphers_that_are_not_supported_are_dropped() =>
        Assert.Equal(["AES-256-GCM"], Parse(Minimal + "data-ciphers ?BF-CBC:AES-256-GCM:?aes-256-gcm\n").DataCiphers);

    [Fact]
    public void A_later_directive_overrides_an_earlier_one() =>
        Assert.Equal(1300, Parse(Minimal + "tun-mtu 1400\ntun-mtu 1300\n").TunMtu);

    [Fact]
    public void Comments_blank_lines_quotes_and_double_dashes_are_read_as_openvpn_reads_them()
    {
        var options = Parse("""
            # OpenVPN sample, with comments
            ; port 1
              --port 1196   # trailing comment
            "ca" 'ca.crt'
            cert "server.crt"
            key server.key
            server 10.8.0.0 255.255.255.0
            status "status file.log"
            """);

        Assert.Equal(1196, options.Port);
        Assert.Equal(Path.Combine(KeysDirectory, "status file.log"), options.StatusFile);
    }

    [Fact]
    public void Inline_key_material_is_read_like_files()
    {
        string Block(string tag, string file) => $"<{tag}>\n{File.ReadAllText(Path.Combine(KeysDirectory, file))}</{tag}>\n";
        var text = Block("ca", "ca.crt") + Block("cert", "server.crt") + Block("key", "server.key")
            + "<dh>\n-----BEGIN DH PARAMETERS-----\n-----END DH PARAMETERS-----\n</dh>\n"
            + "server 10.8.0.0 255.255.255.0\n";

        var options = ServerConfigParser.ParseText(text, "inline.conf", [], Path.GetTempPath());

        Assert.Single(options.CaCertificates);
        Assert.True(options.ServerCertificate!.HasPrivateKey);
        Assert.Equal("CN=test-server", options.ServerCertificate.Subject);
    }

    [Fact]
    public void Relative_paths_resolve_against_the_working_directory_and_cd_moves_it()
    {
        var fixtures = Path.GetDirectoryName(KeysDirectory)!;
        var options = ServerConfigParser.ParseText("""
            cd keys
            ca ca.crt
            cert server.crt
            key server.key
            server 10.8.0.0 255.255.255.0
            status ../status.log
            """, "server.conf", [], fixtures);

        Assert.Equal(Path.Combine(fixtures, "status.log"), options.StatusFile);
    }

    [Fact]
    public void Parse_file_reads_the_config_relative_to_the_working_directory()
    {
        using var temp = new TemporaryDirectory();
        var confDir = Directory.CreateDirectory(Path.Combine(temp.Path, "etc")).FullName;
        File.WriteAllText(Path.Combine(confDir, "server.conf"),
            $"cd {KeysDirectory}\n" + Minimal + "port 1197\n");

        var options = ServerConfigParser.ParseFile("server.conf", [], confDir);

        Assert.Equal(1197, options.Port);
    }

    [Fact]
    public void Parse_file_reports_a_missing_config_file_with_the_os_reason()
    {
        using var temp = new TemporaryDirectory();
        var error = Assert.Throws<ConfigException>(() => ServerConfigParser.ParseFile("nope.conf", [], temp.Path));
        Assert.Equal("nope.conf", error.File);
        Assert.Equal(0, error.Line);
        Assert.Contains("No such file or directory", error.Message);
        Assert.StartsWith("nope.conf: cannot read the configuration file ", error.Message);
    }

    [Fact]
    public void A_missing_working_directory_is_a_command_line_error()
    {
        var error = Assert.Throws<ConfigException>(() => ServerConfigParser.ParseFile("server.conf", [], "/nonexistent/fleetvpn-dir"));
        Assert.Equal("command-line", error.File);
        Assert.Contains("No such file or directory", error.Message);
    }
}
