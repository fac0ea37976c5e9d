using FleetVpn.Server.Config;
using static FleetVpn.Server.Tests.Config.ConfigTestFiles;

namespace FleetVpn.Server.Tests.Config;

public sealed class ServerConfigRefusalTests
{
    /// <summary>Line of the first directive after <see cref="ConfigTestFiles.Minimal"/>.</summary>
    private const int FirstExtraLine = 5;

    [Theory]
    [InlineData("proto tcp")]
    [InlineData("proto tcp-server")]
    [InlineData("proto tcp6")]
    [InlineData("dev tap")]
    [InlineData("dev tap0")]
    [InlineData("dev-type tap")]
    [InlineData("topology net30")]
    [InlineData("topology p2p")]
    [InlineData("comp-lzo")]
    [InlineData("comp-lzo yes")]
    [InlineData("comp-lzo adaptive")]
    [InlineData("remote-cert-tls server")]
    [InlineData("mode p2p")]
    [InlineData("compress lz4-v2")]
    [InlineData("tls-crypt-v2-verify /usr/bin/true")]
    [InlineData("auth none")]
    [InlineData("auth SHA384")]
    [InlineData("auth MD5")]
    [InlineData("mssfix 1400 mtu")]
    [InlineData("mssfix 1400 fixed")]
    [InlineData("cipher none")]
    [InlineData("client-cert-not-required")]
    [InlineData("server 10.8.0.0 255.255.255.0 nopool")]
    [InlineData("reneg-sec 3600 1800")]
    [InlineData("tun-mtu 1500 1500")]
    [InlineData("Port 1194")] // directive names are case-sensitive, as in OpenVPN
    public void Directives_fleetvpn_does_not_implement_are_refused_as_not_supported(string line)
    {
        var error = Refuse(Minimal + line + "\n");

        Assert.Equal("server.conf", error.File);
        Assert.Equal(FirstExtraLine, error.Line);
        Assert.Equal(line, error.Directive);
        Assert.Contains("not supported", error.Reason);
        Assert.StartsWith($"server.conf:{FirstExtraLine}: '{line}': ", error.Message);
    }

    [Theory]
    [InlineData("data-ciphers AES-256-GCM:AES-192-GCM")]
    [InlineData("ncp-ciphers AES-192-GCM")]
    [InlineData("data-ciphers AES-256-CFB")]
    [InlineData("data-ciphers-fallback AES-192-CBC")]
    [InlineData("cipher CAMELLIA-256-CBC")]
    public void Ciphers_fleetvpn_does_not_implement_are_not_supported_yet(string line)
    {
        var error = Refuse(Minimal + line + "\n");
        Assert.Equal(FirstExtraLine, error.Line);
        Assert.Equal(line, error.Directive);
        Assert.Contains("is not supported yet (FleetVPN supports AES-256-GCM, AES-128-GCM, CHACHA20-POLY1305, AES-256-CBC, AES-128-CBC)", error.Reason);
    }

    [Theory]
    [InlineData("data-ciphers BF-CBC")]
    [InlineData("data-ciphers AES-256-GCM:bf-cbc")]
    [InlineData("ncp-ciphers BF-CBC:AES-256-GCM")]
    [InlineData("data-ciphers-fallback BF-CBC")]
    [InlineData("cipher BF-CBC")]
    [InlineData("cipher bf-cbc")]
    public void Blowfish_is_refused_wherever_a_cipher_is_named(string line)
    {
        var error = Refuse(Minimal + line + "\n");
        Assert.Equal($"server.conf:{FirstExtraLine}: '{line}': BF-CBC is not supported (64-bit block cipher, SWEET32; .NET has no Blowfish)", error.Message);
    }

    [Fact]
    public void Data_ciphers_none_is_not_supported() =>
        Assert.Equal("cipher 'none' is not supported (FleetVPN never sends tunnel data unencrypted)",
            Refuse(Minimal + "data-ciphers AES-256-GCM:none\n").Reason);

    [Fact]
    public void The_message_reads_file_line_directive_reason() =>
        Assert.Equal("server.conf:5: 'comp-lzo yes': not supported (FleetVPN never compresses: use 'comp-lzo no')",
            Refuse(Minimal + "comp-lzo yes\n").Message);

    [Fact]
    public void A_netmask_with_holes_is_refused()
    {
        var error = Refuse("ca ca.crt\ncert server.crt\nkey server.key\n\n\n\nserver 10.8.0.0 255.255.0.255\n");
        Assert.Equal("server.conf:7: 'server 10.8.0.0 255.255.0.255': 255.255.0.255 is not a netmask", error.Message);
        Assert.Equal(7, error.Line);
        Assert.Equal("server 10.8.0.0 255.255.0.255", error.Directive);
    }

    [Theory]
    [InlineData("10.8.0.1 255.255.255.0", "10.8.0.1 is not the network address of netmask 255.255.255.0 (did you mean 10.8.0.0?)")]
    [InlineData("10.8.1.0 255.255.0.0", "10.8.1.0 is not the network address of netmask 255.255.0.0 (did you mean 10.8.0.0?)")]
    public void A_network_that_does_not_match_its_mask_is_refused(string arguments, string reason)
    {
        var error = Refuse(Minimal + $"server {arguments}\n");
        Assert.Equal(reason, error.Reason);
        Assert.Equal(FirstExtraLine, error.Line);
    }

    [Theory]
    [InlineData("10.8.0.0 255.255.255.252", "/30")]
    [InlineData("10.8.0.1 255.255.255.255", "/32")]
    [InlineData("10.0.0.0 254.0.0.0", "/7")]
    [InlineData("10.8.0 255.255.255.0", "is not an IPv4 address")]
    [InlineData("10.8.0.0 255.255.255.0.0", "is not an IPv4 address")]
    [InlineData("vpn.example.com 255.255.255.0", "is not an IPv4 address")]
    [InlineData("10.8.0.0", "expects 2 to 3 arguments, got 1")]
    public void Bad_server_networks_are_refused(string arguments, string reasonPart) =>
        Assert.Contains(reasonPart, Refuse(Minimal + $"server {arguments}\n").Reason);

    [Theory]
    [InlineData("port 0", "between 1 and 65535")]
    [InlineData("port 65536", "between 1 and 65535")]
    [InlineData("port https", "not a non-negative integer")]
    [InlineData("port", "expects 1 argument, got 0")]
    [InlineData("port 1 2", "expects 1 argument, got 2")]
    [InlineData("verb -1", "not a non-negative integer")]
    [InlineData("tun-mtu 99", "between 100 and 65535")]
    [InlineData("max-clients 0", "between 1 and")]
    [InlineData("keepalive 0 60", "between 1 and 86400")]
    [InlineData("keepalive 10", "expects 2 arguments")]
    [InlineData("keepalive 10 15", "at least twice")]
    [InlineData("keepalive 10 50000", "must not exceed 43200")]
    [InlineData("hand-window 0", "at least 1")]
    [InlineData("tls-timeout x", "not a non-negative integer")]
    [InlineData("status s.log 0", "at least 1")]
    [InlineData("persist-key yes", "expects no arguments, got 1")]
    [InlineData("comp-lzo maybe", "must be 'yes', 'no' or 'adaptive'")]
    [InlineData("topology star", "must be 'subnet', 'net30' or 'p2p'")]
    [InlineData("remote-cert-tls peer", "must be 'client' or 'server'")]
    [InlineData("proto sctp", "unknown protocol")]
    [InlineData("local vpn.example.com", "host names are not supported yet")]
    [InlineData("local 10.0.0.300", "not an IPv4 address")]
    [InlineData("dev averyveryverylongname", "not a valid interface name")]
    [InlineData("dev eth0", "add 'dev-type tun'")]
    [InlineData("cd /nonexistent/fleetvpn", "No such file or directory")]
    [InlineData("mode client", "must be 'server' or 'p2p'")]
    [InlineData("proto udp4\nlocal ::1", "serves IPv4 only")]
    public void Bad_values_are_refused_with_a_reason(string lines, string reasonPart)
    {
        var error = Refuse(Minimal + lines + "\n");
        Assert.Contains(reasonPart, error.Reason);
        Assert.True(error.Line >= FirstExtraLine);
    }

    [Fact]
    public void A_named_device_with_dev_type_tun_is_accepted() =>
        Assert.Equal("vpn0", Parse(Minimal + "dev vpn0\ndev-type tun\n").Device);

    [Fact]
    public void An_inline_block_for_a_directive_that_takes_no_file_is_refused()
    {
        var error = Refuse(Minimal + "<port>\n1194\n</port>\n");
        Assert.Equal("<port>", error.Directive);
        Assert.Equal(FirstExtraLine, error.Line);
    }

    [Fact]
    public void An_inline_block_for_an_unsupported_directive_is_not_supported()
    {
        var error = Refuse(Minimal + "<pkcs12>\nMIIB\n</pkcs12>\nbogus\n");
        Assert.Equal("server.conf:5: '<pkcs12>': not supported", error.Message);
    }

    [Fact]
    public void The_first_error_in_the_file_is_the_one_reported()
    {
        var error = Refuse(Minimal + "port 1194\ndev tap\ncompress lz4\ncomp-lzo yes\n");
        Assert.Equal(7, error.Line);
        Assert.Equal("compress lz4", error.Directive);
    }

    [Theory]
    [InlineData("ca")]
    [InlineData("cert")]
    [InlineData("key")]
    [InlineData("server")]
    public void Each_required_directive_is_named_when_missing(string missing)
    {
        var text = string.Join('\n', Minimal.Split('\n').Where(l => !l.StartsWith(missing + " ", StringComparison.Ordinal)));

        var error = Refuse(text);

        Assert.Equal("server.conf", error.File);
        Assert.Equal(0, error.Line);
        Assert.Equal(missing, error.Directive);
        Assert.StartsWith($"server.conf: '{missing}': required directive is missing", error.Message);
    }
}
