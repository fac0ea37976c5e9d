using FleetVpn.Protocol.DataChannel;
using FleetVpn.Protocol.Wrapping;
using FleetVpn.Server.Config;
using static FleetVpn.Server.Tests.Config.ConfigTestFiles;

namespace FleetVpn.Server.Tests.Config;

/// <summary><c>tls-auth</c>, <c>tls-crypt</c>, <c>key-direction</c> and <c>auth</c>: the wrapper the parser builds, checked against a client-side wrapper made from the same key.</summary>
public sealed class ControlWrapperConfigTests : IDisposable
{
    private const int FirstExtraLine = 5;

    private readonly TemporaryDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static string KeyText(string file) => File.ReadAllText(Path.Combine(KeysDirectory, file));

    [Fact]
    public void Without_tls_auth_or_tls_crypt_there_is_no_wrapper()
    {
        var options = Parse(Minimal);
        Assert.Same(NoWrapper.Instance, options.ControlWrapper);
        Assert.Equal("none", options.ControlWrapperName);
        Assert.Same(HmacDigest.Sha1, options.Auth);
    }

    [Fact]
    public void Tls_auth_with_direction_0_talks_to_a_client_with_direction_1()
    {
        var options = Parse(Minimal + "tls-auth ta.key 0\n");

        var wrapper = Assert.IsType<TlsAuthWrapper>(options.ControlWrapper);
        Assert.Equal("tls-auth", options.ControlWrapperName);
        Assert.Equal(KeyDirection.Normal, wrapper.Direction);
        Assert.Same(HmacDigest.Sha1, wrapper.Digest);
        using var client = new TlsAuthWrapper(StaticKey.Parse(KeyText("ta.key")), KeyDirection.Inverse, HmacDigest.Sha1);
        AssertPeersUnderstandEachOther(wrapper, client);
    }

    [Fact]
    public void Tls_auth_without_a_direction_is_bidirectional()
    {
        var wrapper = Assert.IsType<TlsAuthWrapper>(Parse(Minimal + "tls-auth ta.key\n").ControlWrapper);
        Assert.Equal(KeyDirection.Bidirectional, wrapper.Direction);
        using var client = new TlsAuthWrapper(StaticKey.Parse(KeyText("ta.key")), KeyDirection.Bidirectional, HmacDigest.Sha1);
        AssertPeersUnderstandEachOther(wrapper, client);
    }

    [Theory]
    [InlineData("key-direction 1\ntls-auth ta.key", KeyDirection.Inverse)] // key-direction before
    [InlineData("tls-auth ta.key\nkey-direction 1", KeyDirection.Inverse)] // key-direction after
    [InlineData("key-direction 1\ntls-auth ta.key 0", KeyDirection.Normal)] // the later one wins ...
    [InlineData("tls-auth ta.key 0\nkey-direction 1", KeyDirection.Inverse)] // ... as both set options->key_direction in 2.6
    [InlineData("key-direction 0\nkey-direction 1\ntls-auth ta.key", KeyDirection.Inverse)]
    public void The_key_direction_is_the_last_one_given_by_key_direction_or_tls_auth(string lines, KeyDirection expected) =>
        Assert.Equal(expected, Assert.IsType<TlsAuthWrapper>(Parse(Minimal + lines + "\n").ControlWrapper).Direction);

    [Fact]
    public void Auth_after_tls_auth_sets_its_digest()
    {
        var options = Parse(Minimal + "tls-auth ta.key 0\nauth SHA256\n");

        var wrapper = Assert.IsType<TlsAuthWrapper>(options.ControlWrapper);
        Assert.Same(HmacDigest.Sha256, wrapper.Digest);
        Assert.Same(HmacDigest.Sha256, options.Auth);
        using var client = new TlsAuthWrapper(StaticKey.Parse(KeyText("ta.key")), KeyDirection.Inverse, HmacDigest.Sha256);
        AssertPeersUnderstandEachOther(wrapper, client);
        using var sha1Client = new TlsAuthWrapper(StaticKey.Parse(KeyText("ta.key")), KeyDirection.Inverse, HmacDigest.Sha1);
        Assert.False(Unwraps(wrapper, sha1Client));
    }

    [Theory]
    [InlineData("SHA1", "SHA1")]
    [InlineData("sha256", "SHA256")]
    [InlineData("Sha512", "SHA512")]
    public void Auth_takes_sha1_sha256_and_sha512_in_any_case(string name, string expected) =>
        Assert.Equal(expected, Parse(Minimal + $"auth {name}\n").Auth.Name);

    [Theory]
    [InlineData("auth none", "not supported (tls-auth and CBC data packets would go unauthenticated)")]
    [InlineData("auth SHA384", "digest 'SHA384' is not supported (FleetVPN supports SHA1, SHA256, SHA512)")]
    [InlineData("auth", "expects 1 argument, got 0")]
    public void Other_auth_digests_are_refused(string line, string reason)
    {
        var error = Refuse(Minimal + line + "\n");
        Assert.Equal(FirstExtraLine, error.Line);
        Assert.Equal(line, error.Directive);
        Assert.Equal(reason, error.Reason);
    }

    [Fact]
    public void Inline_tls_auth_uses_key_direction()
    {
        var options = Parse(Minimal + $"key-direction 0\n<tls-auth>\n{KeyText("ta.key")}</tls-auth>\nauth SHA512\n");

        var wrapper = Assert.IsType<TlsAuthWrapper>(options.ControlWrapper);
        Assert.Equal(KeyDirection.Normal, wrapper.Direction);
        Assert.Same(HmacDigest.Sha512, wrapper.Digest);
        using var client = new TlsAuthWrapper(StaticKey.Parse(KeyText("ta.key")), KeyDirection.Inverse, HmacDigest.Sha512);
        AssertPeersUnderstandEachOther(wrapper, client);
    }

    [Fact]
    public void Tls_crypt_builds_the_server_side_wrapper()
    {
        var options = Parse(Minimal + "tls-crypt tc.key\n");

        var wrapper = Assert.IsType<TlsCryptWrapper>(options.ControlWrapper);
        Assert.True(wrapper.IsServer);
        Assert.Equal("tls-crypt", options.ControlWrapperName);
        using var client = new TlsCryptWrapper(StaticKey.Parse(KeyText("tc.key")), isServer: false);
        AssertPeersUnderstandEachOther(wrapper, client);
    }

    [Fact]
    public void Inline_tls_crypt_is_read_like_the_file()
    {
        var options = Parse(Minimal + $"<tls-crypt>\n{KeyText("tc.key")}</tls-crypt>\n");

        var wrapper = Assert.IsType<TlsCryptWrapper>(options.ControlWrapper);
        using var client = new TlsCryptWrapper(StaticKey.Parse(KeyText("tc.key")), isServer: false);
        AssertPeersUnderstandEachOther(wrapper, client);
    }

    [Theory]
    [InlineData("tls-crypt tc.key 0")]
    [InlineData("tls-crypt tc.key 1")]
    public void A_key_direction_after_tls_crypt_is_accepted_and_ignored_as_in_openvpn(string line)
    {
        var wrapper = Assert.IsType<TlsCryptWrapper>(Parse(Minimal + line + "\n").ControlWrapper);
        using var client = new TlsCryptWrapper(StaticKey.Parse(KeyText("tc.key")), isServer: false);
        AssertPeersUnderstandEachOther(wrapper, client);
    }

    [Theory]
    [InlineData("tls-auth ta.key 0\ntls-crypt tc.key", "tls-crypt tc.key", "tls-auth ta.key 0")]
    [InlineData("tls-crypt tc.key\ntls-auth ta.key 0", "tls-auth ta.key 0", "tls-crypt tc.key")]
    public void Tls_auth_and_tls_crypt_together_are_refused_at_the_second(string lines, string second, string first)
    {
        var error = Refuse(Minimal + lines + "\n");

        Assert.Equal(FirstExtraLine + 1, error.Line);
        Assert.Equal(second, error.Directive);
        Assert.Equal($"tls-auth and tls-crypt are mutually exclusive (see '{first}' at server.conf:{FirstExtraLine})", error.Reason);
    }

    [Fact]
    public void Tls_crypt_on_the_command_line_after_tls_auth_in_the_file_is_refused()
    {
        var error = Refuse(Minimal + "tls-auth ta.key 0\n", "--tls-crypt", "tc.key");
        Assert.Equal("command-line", error.File);
        Assert.Equal("--tls-crypt tc.key", error.Directive);
        Assert.Contains("mutually exclusive", error.Reason);
    }

    [Fact]
    public void A_missing_tls_auth_file_is_refused_with_the_os_reason()
    {
        var error = Refuse(Minimal + "tls-auth missing.key 0\n");
        Assert.Equal($"server.conf:5: 'tls-auth missing.key 0': cannot read {Path.Combine(KeysDirectory, "missing.key")}: No such file or directory", error.Message);
    }

    [Fact]
    public void A_missing_tls_crypt_file_is_refused_with_the_os_reason()
    {
        var error = Refuse(Minimal + "tls-crypt missing.key\n");
        Assert.Equal(FirstExtraLine, error.Line);
        Assert.Equal("tls-crypt missing.key", error.Directive);
        Assert.EndsWith("missing.key: No such file or directory", error.Reason);
    }

    [Theory]
    [InlineData("tls-auth")]
    [InlineData("tls-crypt")]
    public void A_file_that_is_not_a_static_key_is_refused_with_the_parser_reason(string directive)
    {
        var error = Refuse(Minimal + $"{directive} ca.crt\n");
        Assert.Equal(FirstExtraLine, error.Line);
        Assert.Equal($"{directive} ca.crt", error.Directive);
        Assert.Equal("not an OpenVPN static key: no '-----BEGIN OpenVPN Static key V1-----' line", error.Reason);
        Assert.IsType<FormatException>(error.InnerException);
    }

    [Fact]
    public void A_truncated_static_key_is_refused_with_the_parser_reason()
    {
        var lines = KeyText("ta.key").Split('\n').ToList();
        lines.RemoveAt(lines.FindIndex(l => l.StartsWith(StaticKey.Header, StringComparison.Ordinal)) + 1);
        var path = _temp.File("short.key", string.Join('\n', lines));

        var error = Refuse(Minimal + $"tls-auth {path} 0\n");

        Assert.Equal(FirstExtraLine, error.Line);
        Assert.Equal("static key has 240 bytes, expected 256", error.Reason);
    }

    [Fact]
    public void A_bad_inline_static_key_is_refused_at_the_opening_tag()
    {
        var error = Refuse(Minimal + $"<tls-crypt>\n{StaticKey.Header}\nzz\n{StaticKey.Footer}\n</tls-crypt>\n");
        Assert.Equal($"server.conf:5: '<tls-crypt>': static key line 2: 'z' is not a hex digit", error.Message);
    }

    [Theory]
    [InlineData("tls-auth ta.key 2", "unknown key direction '2': must be 0 or 1")]
    [InlineData("tls-auth ta.key normal", "unknown key direction 'normal': must be 0 or 1")]
    [InlineData("tls-auth ta.key 0 1", "expects 1 to 2 arguments, got 3")]
    [InlineData("tls-auth", "expects 1 to 2 arguments, got 0")]
    [InlineData("tls-crypt tc.key inverse", "'inverse' is not a key direction (tls-crypt's direction is fixed: the server sends with keys[0])")]
    [InlineData("key-direction 2", "unknown key direction '2': must be 0 or 1")]
    [InlineData("key-direction", "expects 1 argument, got 0")]
    public void Bad_wrapper_arguments_are_refused(string line, string reason)
    {
        var error = Refuse(Minimal + line + "\n");
        Assert.Equal(FirstExtraLine, error.Line);
        Assert.Equal(line, error.Directive);
        Assert.Equal(reason, error.Reason);
    }

    [Fact]
    public void Key_paths_resolve_against_cd()
    {
        var options = ServerConfigParser.ParseText("cd keys\n" + Minimal + "tls-auth ta.key 0\n", "server.conf", [], Path.GetDirectoryName(KeysDirectory));
        Assert.Equal("tls-auth", options.ControlWrapperName);
    }

    /// <summary>A control packet: P_CONTROL_HARD_RESET_SERVER_V2 (op 8, key-id 0), a session id, an empty ACK block and message packet-id 0.</summary>
    private static byte[] ControlPacket() => [8 << 3, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0];

    private static bool Unwraps(IControlWrapper sender, IControlWrapper receiver)
    {
        var packet = ControlPacket();
        var wrapped = new byte[packet.Length + sender.Overhead];
        var length = sender.Wrap(packet, 1, 1_700_000_000, wrapped);
        var unwrapped = new byte[wrapped.Length];
        if (!receiver.TryUnwrap(wrapped.AsSpan(0, length), unwrapped, out var plainLength, out var replayId, out _)) return false;
        Assert.Equal(packet, unwrapped[..plainLength]);
        Assert.Equal(1u, replayId);
        return true;
    }

    private static void AssertPeersUnderstandEachOther(IControlWrapper server, IControlWrapper client)
    {
        Assert.True(Unwraps(server, client), "the client cannot read what the server wraps");
        Assert.True(Unwraps(client, server), "the server cannot read what the client wraps");
    }
}
