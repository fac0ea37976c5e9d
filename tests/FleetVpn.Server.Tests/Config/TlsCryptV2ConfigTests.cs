using FleetVpn.Protocol.Wrapping;
using FleetVpn.Server.Config;
using static FleetVpn.Server.Tests.Config.ConfigTestFiles;

namespace FleetVpn.Server.Tests.Config;

/// <summary><c>tls-crypt-v2</c> and <c>tls-crypt-v2-max-age</c>: the server key the parser loads, and what it refuses.</summary>
public sealed class TlsCryptV2ConfigTests
{
    private const int FirstExtraLine = 5;

    private static string KeyText(string file) => File.ReadAllText(Path.Combine(KeysDirectory, file));

    private static byte[] FixtureClientWrappedKey() => TlsCryptV2ClientKey.Parse(KeyText("tls-crypt-v2-client.key")).WrappedKey.ToArray();

    private static bool Unwraps(TlsCryptV2ServerKey key, byte[] wrapped) =>
        key.TryUnwrapClientKey(wrapped, new byte[TlsCryptV2ServerKey.ClientKeySize], new byte[TlsCryptV2ServerKey.MaxMetadataSize], out _);

    [Theory]
    [InlineData("tls-crypt-v2 tls-crypt-v2-server.key")]
    [InlineData("tls-crypt-v2 tls-crypt-v2-server.key force-cookie")]
    public void Tls_crypt_v2_loads_the_server_key_and_needs_wrapping_for_every_client(string line)
    {
        var options = Parse(Minimal + line + "\n");

        Assert.True(Unwraps(options.TlsCryptV2!, FixtureClientWrappedKey()));
        Assert.Same(NoWrapper.Instance, options.ControlWrapper);
        Assert.False(options.StaticWrapperAccepted, "with tls-crypt-v2 alone a V2 reset without wrapping must not be taken");
        Assert.Equal(0, options.TlsCryptV2MaxAgeDays);
    }

    [Fact]
    public void Inline_tls_crypt_v2_is_read_like_the_file()
    {
        var options = Parse(Minimal + $"<tls-crypt-v2>\n{KeyText("tls-crypt-v2-server.key")}</tls-crypt-v2>\n");
        Assert.True(Unwraps(options.TlsCryptV2!, FixtureClientWrappedKey()));
    }

    [Fact]
    public void Tls_crypt_v2_beside_tls_crypt_accepts_both_kinds_of_client()
    {
        var options = Parse(Minimal + "tls-crypt tc.key\ntls-crypt-v2 tls-crypt-v2-server.key\n");
        Assert.IsType<TlsCryptWrapper>(options.ControlWrapper);
        Assert.True(options.StaticWrapperAccepted);
        Assert.NotNull(options.TlsCryptV2);
    }

    [Fact]
    public void Without_tls_crypt_v2_there_is_no_server_key()
    {
        var options = Parse(Minimal);
        Assert.Null(options.TlsCryptV2);
        Assert.True(options.StaticWrapperAccepted);
    }

    [Fact]
    public void Max_age_is_read_in_days()
    {
        var options = Parse(Minimal + "tls-crypt-v2 tls-crypt-v2-server.key\ntls-crypt-v2-max-age 30\n");
        Assert.Equal(30, options.TlsCryptV2MaxAgeDays);
    }

    [Theory]
    [InlineData("tls-crypt-v2 tls-crypt-v2-server.key allow-noncookie", "'allow-noncookie' is not supported: FleetVPN keeps no state before the client answers the cookie, so only clients that resend their wrapped key (OpenVPN 2.6 and later) connect ('force-cookie')")]
    [InlineData("tls-crypt-v2 tls-crypt-v2-server.key sometimes", "'sometimes' is not a tls-crypt-v2 flag (force-cookie or allow-noncookie)")]
    [InlineData("tls-crypt-v2", "expects 1 to 2 arguments, got 0")]
    [InlineData("tls-crypt-v2 tc.key", "not a tls-crypt-v2 server key: no '-----BEGIN OpenVPN tls-crypt-v2 server key-----' block (or it is not valid PEM)")]
    [InlineData("tls-crypt-v2 tls-crypt-v2-client.key", "not a tls-crypt-v2 server key: no '-----BEGIN OpenVPN tls-crypt-v2 server key-----' block (or it is not valid PEM)")]
    [InlineData("tls-crypt-v2-max-age 0", "tls-crypt-v2-max-age must be at least 1, got 0")]
    [InlineData("tls-crypt-v2-max-age", "expects 1 argument, got 0")]
    [InlineData("tls-crypt-v2-verify /usr/bin/true", "not supported (no metadata verification script; tls-crypt-v2-max-age checks the key's age)")]
    public void Bad_tls_crypt_v2_lines_are_refused_with_the_reason(string line, string reason)
    {
        var error = Refuse(Minimal + line + "\n");
        Assert.Equal(FirstExtraLine, error.Line);
        Assert.Equal(line, error.Directive);
        Assert.Equal(reason, error.Reason);
    }

    [Fact]
    public void Max_age_without_tls_crypt_v2_is_refused()
    {
        var error = Refuse(Minimal + "tls-crypt-v2-max-age 30\n");
        Assert.Equal("tls-crypt-v2-max-age 30", error.Directive);
        Assert.Contains("needs 'tls-crypt-v2 SERVER_KEY'", error.Reason);
    }

    [Fact]
    public void A_server_key_of_the_wrong_size_is_refused()
    {
        var text = TlsCryptV2Pem.Encode(TlsCryptV2ServerKey.PemLabel, new byte[64]);
        var error = Refuse(Minimal + $"<tls-crypt-v2>\n{text}</tls-crypt-v2>\n");
        Assert.Equal("server.conf:5: '<tls-crypt-v2>': not a tls-crypt-v2 server key: a tls-crypt-v2 server key holds 128 bytes, this one 64", error.Message);
    }
}
