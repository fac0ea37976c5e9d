using static FleetVpn.Server.Tests.Config.ConfigTestFiles;

namespace FleetVpn.Server.Tests.Config;

/// <summary><c>data-ciphers</c>, <c>data-ciphers-fallback</c> and <c>cipher</c> with OpenVPN 2.6's meaning (see CipherDirectives).</summary>
public sealed class CipherConfigTests
{
    [Fact]
    public void Data_ciphers_accept_the_cbc_ciphers_in_canonical_spelling() =>
        Assert.Equal(["AES-256-GCM", "AES-256-CBC", "AES-128-CBC"],
            Parse(Minimal + "data-ciphers AES-256-GCM:aes-256-cbc:Aes-128-Cbc\n").DataCiphers);

    [Fact]
    public void Optional_blowfish_is_dropped_like_any_optional_cipher_fleetvpn_lacks() =>
        Assert.Equal(["AES-128-CBC"], Parse(Minimal + "data-ciphers ?BF-CBC:AES-128-CBC\n").DataCiphers);

    [Fact]
    public void Without_data_ciphers_fallback_there_is_no_fallback() =>
        Assert.Null(Parse(Minimal).DataCiphersFallback);

    [Theory]
    [InlineData("AES-256-CBC", "AES-256-CBC")]
    [InlineData("aes-128-cbc", "AES-128-CBC")]
    [InlineData("aes-256-gcm", "AES-256-GCM")]
    [InlineData("ChaCha20-Poly1305", "CHACHA20-POLY1305")]
    public void Data_ciphers_fallback_names_the_cipher_for_clients_that_negotiate_nothing(string name, string expected) =>
        Assert.Equal(expected, Parse(Minimal + $"data-ciphers-fallback {name}\n").DataCiphersFallback);

    [Fact]
    public void Cipher_alone_is_not_a_fallback_and_does_not_join_data_ciphers()
    {
        // 2.6 server: options_postprocess_cipher() only warns that --cipher is ignored for negotiation.
        var options = Parse(Minimal + "cipher AES-256-CBC\n");

        Assert.Null(options.DataCiphersFallback);
        Assert.Equal(["AES-256-GCM", "AES-128-GCM", "CHACHA20-POLY1305"], options.DataCiphers);
    }

    [Theory]
    [InlineData("data-ciphers-fallback AES-256-CBC\ncipher AES-128-CBC", "AES-128-CBC")]
    [InlineData("cipher AES-128-CBC\ndata-ciphers-fallback AES-256-CBC", "AES-256-CBC")]
    public void Cipher_and_data_ciphers_fallback_share_one_name_and_the_later_wins(string lines, string expected) =>
        Assert.Equal(expected, Parse(Minimal + lines + "\n").DataCiphersFallback);

    [Fact]
    public void Data_ciphers_fallback_can_come_from_the_command_line() =>
        Assert.Equal("AES-128-CBC", Parse(Minimal, "--data-ciphers-fallback", "AES-128-CBC").DataCiphersFallback);

    [Theory]
    [InlineData("data-ciphers-fallback", "expects 1 argument, got 0")]
    [InlineData("data-ciphers-fallback AES-256-CBC AES-128-CBC", "expects 1 argument, got 2")]
    [InlineData("cipher", "expects 1 argument, got 0")]
    [InlineData("data-ciphers ?BF-CBC", "the list names no cipher FleetVPN supports")]
    public void Bad_cipher_arguments_are_refused(string line, string reason)
    {
        var error = Refuse(Minimal + line + "\n");
        Assert.Equal(5, error.Line);
        Assert.Equal(line, error.Directive);
        Assert.Equal(reason, error.Reason);
    }
}
