using System.Text.Json.Nodes;
using FleetVpn.Protocol.DataChannel;
using FleetVpn.Protocol.Wrapping;
using FleetVpn.Server.Config;
using static FleetVpn.Server.Tests.Config.ConfigTestFiles;

namespace FleetVpn.Server.Tests.Config;

/// <summary>
/// The server.conf files of the OpenVPN 2.6 fixture sessions (shared/fixtures/openvpn-2.6/*/server.conf),
/// parsed as <c>fleetvpn serve --cd SESSION --config server.conf</c> would: how far each gets, and for
/// those that parse, that the wrapper built from them authenticates the real client's first packet.
/// </summary>
public sealed class OpenVpnFixtureConfigTests
{
    private static readonly string FixturesDirectory = Path.GetDirectoryName(KeysDirectory)!;

    private static ServerOptions ParseSession(string session) =>
        ServerConfigParser.ParseFile("server.conf", [], Path.Combine(FixturesDirectory, session));

    [Theory]
    [InlineData("tls-crypt")]
    [InlineData("float")]
    [InlineData("retransmit")]
    public void The_tls_crypt_sessions_parse_completely(string session)
    {
        var options = ParseSession(session);

        Assert.Equal("tls-crypt", options.ControlWrapperName);
        Assert.True(Assert.IsType<TlsCryptWrapper>(options.ControlWrapper).IsServer);
        Assert.Equal(UdpAddressFamily.IPv4, options.AddressFamily);
        Assert.Equal(10, options.KeepalivePing);
        Assert.Equal(9, options.Verb);
    }

    [Fact]
    public void The_tls_crypt_wrapper_of_the_fixture_config_authenticates_the_captured_client_reset() =>
        AssertUnwrapsCapturedPacket(ParseSession("tls-crypt").ControlWrapper, "tls-crypt control packet: client P_CONTROL_HARD_RESET_CLIENT_V2");

    [Fact]
    public void The_tls_crypt_v2_session_parses_completely_and_its_server_key_unwraps_the_captured_WKc()
    {
        var options = ParseSession("tls-crypt-v2");

        Assert.Same(NoWrapper.Instance, options.ControlWrapper);
        Assert.False(options.StaticWrapperAccepted);
        Assert.Equal(0, options.TlsCryptV2MaxAgeDays);
        var vectors = JsonNode.Parse(File.ReadAllText(Path.Combine(FixturesDirectory, "packet-vectors.json")))!["vectors"]!.AsArray();
        var vector = vectors.Single(v => ((string?)v!["name"])!.StartsWith("tls-crypt-v2 ", StringComparison.Ordinal))!;
        var kc = new byte[TlsCryptV2ServerKey.ClientKeySize];
        Assert.True(options.TlsCryptV2!.TryUnwrapClientKey(Convert.FromHexString((string)vector["wkc_hex"]!), kc, new byte[TlsCryptV2ServerKey.MaxMetadataSize], out _));
        Assert.Equal((string)vector["unwrapped_Kc_hex"]!, Convert.ToHexString(kc), ignoreCase: true);
    }

    [Fact]
    public void The_no_wrap_cbc_session_parses_completely()
    {
        var options = ParseSession("no-wrap-cbc");

        Assert.Same(NoWrapper.Instance, options.ControlWrapper);
        Assert.Equal(["AES-256-CBC"], options.DataCiphers);
        Assert.Same(HmacDigest.Sha256, options.Auth);
        Assert.True(options.CompLzoNo);
    }

    [Theory]
    [InlineData("compress-stub", "server.conf:15: 'compress': not supported")]
    [InlineData("compress-migrate", "server.conf:15: 'compress migrate': not supported")]
    [InlineData("legacy-prf-cbc", "server.conf:9: 'ifconfig 10.8.0.1 10.8.0.2': not supported")]
    [InlineData("legacy-prf-gcm", "server.conf:9: 'ifconfig 10.8.0.1 10.8.0.2': not supported")]
    public void The_other_sessions_stop_at_the_first_directive_fleetvpn_lacks(string session, string message)
    {
        var error = Assert.Throws<ConfigException>(() => ParseSession(session));
        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("tls-auth", "/usr/bin/true")]
    [InlineData("auth-failed", "/usr/bin/false")]
    public void The_username_password_sessions_parse_completely(string session, string verifier)
    {
        var options = ParseSession(session);

        Assert.Equal(2, options.ScriptSecurity);
        Assert.Equal(verifier, options.AuthUserPassVerify!.Program);
        Assert.Equal(FleetVpn.Server.Scripts.PasswordPassing.ViaEnv, options.AuthUserPassVerifyMethod);
        Assert.Contains(options.Warnings, w => w.Contains("no password variable", StringComparison.Ordinal));
    }

    [Fact]
    public void The_tls_auth_session_gets_past_its_tls_auth_line_with_key_direction_0()
    {
        // Lines 1-14 of the fixture (up to and including 'tls-auth ../keys/ta.key 0'), without the
        // username/password lines FleetVPN does not implement yet.
        var session = Path.Combine(FixturesDirectory, "tls-auth");
        var lines = File.ReadAllLines(Path.Combine(session, "server.conf"));
        Assert.Equal("tls-auth ../keys/ta.key 0", lines[13]);

        var options = ServerConfigParser.ParseText(string.Join('\n', lines[..14]), "server.conf", [], session);

        var wrapper = Assert.IsType<TlsAuthWrapper>(options.ControlWrapper);
        Assert.Equal(KeyDirection.Normal, wrapper.Direction);
        Assert.Same(HmacDigest.Sha1, wrapper.Digest);
        AssertUnwrapsCapturedPacket(wrapper, "tls-auth (HMAC-SHA1, key-direction 1 on the client) P_CONTROL_HARD_RESET_CLIENT_V2");
    }

    private static void AssertUnwrapsCapturedPacket(IControlWrapper wrapper, string vectorName)
    {
        var vectors = JsonNode.Parse(File.ReadAllText(Path.Combine(FixturesDirectory, "packet-vectors.json")))!["vectors"]!.AsArray();
        var vector = vectors.Single(v => (string?)v!["name"] == vectorName)!;
        var packet = Convert.FromHexString((string)vector["udp_payload_hex"]!);

        var unwrapped = new byte[packet.Length];
        Assert.True(wrapper.TryUnwrap(packet, unwrapped, out var length, out var replayId, out _));
        Assert.Equal(packet[..9], unwrapped[..9]); // op|key-id and the session id stay in front
        Assert.Equal(1u, replayId);
        Assert.True(length > 9);
    }
}
