using System.Net;
using FleetVpn.Server.Config;
using FleetVpn.Server.Routing;
using FleetVpn.Server.Scripts;
using FleetVpn.Server.Tests.Revocation;
using static FleetVpn.Server.Tests.Config.ConfigTestFiles;

namespace FleetVpn.Server.Tests.Scripts;

public sealed class ScriptEnvironmentTests
{
    private static readonly DateTimeOffset Since = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
    private readonly ServerOptions _options = Parse(Minimal + "port 1195\n");

    private static ScriptClient Client(string address = "192.0.2.7", int port = 40000) => new()
    {
        CommonName = "device-000042",
        RemoteEndPoint = new IPEndPoint(IPAddress.Parse(address), port),
        ConnectedSince = Since,
        PeerInfo = "IV_VER=2.6.3\nIV_PLAT=linux\nIV_BAD-NAME=x\nUV_SITE=a\u0007b\nNOT_IV=1\n",
        VirtualAddress = AddressPool.ToUInt32(IPAddress.Parse("10.8.0.9")),
        VirtualNetmask = AddressPool.ToUInt32(IPAddress.Parse("255.255.255.0")),
        BytesReceived = 1234,
        BytesSent = 5678,
    };

    [Fact]
    public void Client_connect_has_openvpns_names_for_the_client_and_the_server()
    {
        var env = ScriptEnvironment.Build(ScriptEnvironment.ClientConnect, Client(), _options, "tun3");

        Assert.Equal("client-connect", env["script_type"]);
        Assert.Equal("device-000042", env["common_name"]);
        Assert.Equal("192.0.2.7", env["trusted_ip"]);
        Assert.Equal("40000", env["trusted_port"]);
        Assert.Equal("192.0.2.7", env["untrusted_ip"]);
        Assert.Equal("40000", env["untrusted_port"]);
        Assert.Equal("10.8.0.9", env["ifconfig_pool_remote_ip"]);
        Assert.Equal("255.255.255.0", env["ifconfig_pool_netmask"]);
        Assert.Equal("10.8.0.1", env["ifconfig_local"]);
        Assert.Equal("tun3", env["dev"]);
        Assert.Equal("1195", env["local_port_1"]);
        Assert.Equal("udp", env["proto_1"]);
        Assert.Equal("1700000000", env["time_unix"]);
        Assert.False(env.ContainsKey("bytes_received"));
        Assert.False(env.ContainsKey("password"));
    }

    [Fact]
    public void Only_well_formed_iv_and_uv_peer_info_lines_become_variables_with_control_characters_replaced()
    {
        var env = ScriptEnvironment.Build(ScriptEnvironment.ClientConnect, Client(), _options, "tun0");

        Assert.Equal("2.6.3", env["IV_VER"]);
        Assert.Equal("linux", env["IV_PLAT"]);
        Assert.Equal("a_b", env["UV_SITE"]);
        Assert.False(env.ContainsKey("IV_BAD-NAME"));
        Assert.False(env.ContainsKey("NOT_IV"));
    }

    [Fact]
    public void Client_disconnect_adds_the_byte_counters_and_the_duration()
    {
        var env = ScriptEnvironment.Build(ScriptEnvironment.ClientDisconnect, Client(), _options, "tun0", now: Since.AddSeconds(93));

        Assert.Equal("client-disconnect", env["script_type"]);
        Assert.Equal("1234", env["bytes_received"]);
        Assert.Equal("5678", env["bytes_sent"]);
        Assert.Equal("93", env["time_duration"]);
    }

    [Fact]
    public void User_pass_verify_knows_the_client_only_as_untrusted_and_gets_the_password_only_when_given()
    {
        var viaFile = ScriptEnvironment.Build(ScriptEnvironment.UserPassVerify, Client() with { Username = "alice" }, _options, "tun0");
        Assert.Equal("user-pass-verify", viaFile["script_type"]);
        Assert.Equal("alice", viaFile["username"]);
        Assert.Equal("192.0.2.7", viaFile["untrusted_ip"]);
        Assert.False(viaFile.ContainsKey("trusted_ip"));
        Assert.False(viaFile.ContainsKey("password"));

        var viaEnv = ScriptEnvironment.Build(ScriptEnvironment.UserPassVerify, Client() with { Username = "alice" }, _options, "tun0", password: "s3cret");
        Assert.Equal("s3cret", viaEnv["password"]);
    }

    [Fact]
    public void An_ipv6_client_has_the_ip6_names_and_a_mapped_ipv4_one_the_plain_ones()
    {
        var v6 = ScriptEnvironment.Build(ScriptEnvironment.ClientConnect, Client("2001:db8::5"), _options, "tun0");
        Assert.Equal("2001:db8::5", v6["trusted_ip6"]);
        Assert.False(v6.ContainsKey("trusted_ip"));

        var mapped = ScriptEnvironment.Build(ScriptEnvironment.ClientConnect, Client("::ffff:192.0.2.8"), _options, "tun0");
        Assert.Equal("192.0.2.8", mapped["trusted_ip"]);
    }

    [Fact]
    public void The_certificate_variables_describe_the_clients_certificate()
    {
        using var certificate = TestCrls.FixtureClient();
        var env = ScriptEnvironment.Build(ScriptEnvironment.ClientConnect, Client() with { Certificate = certificate }, _options, "tun0");

        Assert.Equal(FleetVpn.ControlChannel.Revocation.RevocationList.DecimalSerial(certificate.SerialNumberBytes.Span), env["tls_serial_0"]);
        Assert.Equal(Convert.ToHexString(certificate.SerialNumberBytes.Span).ToLowerInvariant(), env["tls_serial_hex_0"].Replace(":", ""));
        Assert.Equal(FleetVpn.ControlChannel.ClientCertificatePolicy.CommonName(certificate), env["X509_0_CN"]);
        Assert.Equal(59, env["tls_digest_0"].Length); // 20 bytes as aa:bb:...
    }

    [Theory]
    [InlineData("alice", "alice")]
    [InlineData("dev-01.site@example", "dev-01.site@example")]
    [InlineData("a b;$(rm)\n", "a_b___rm__")]
    public void Usernames_keep_only_openvpns_safe_characters(string username, string seen) =>
        Assert.Equal(seen, ScriptEnvironment.SafeUsername(username));

    [Fact]
    public void Passwords_keep_printable_characters_and_lose_line_breaks() =>
        Assert.Equal("right horse \"$x\"_x", ScriptEnvironment.SafePassword("right horse \"$x\"\nx"));
}
