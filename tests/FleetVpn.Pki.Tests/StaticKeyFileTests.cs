using FleetVpn.Protocol.Wrapping;

namespace FleetVpn.Pki.Tests;

public sealed class StaticKeyFileTests : IDisposable
{
    private readonly TempPki _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Key_file_has_openvpns_genkey_layout()
    {
        var path = Path.Combine(_temp.Parent, "tc.key");
        StaticKeyFile.WriteNew(path);
        var text = File.ReadAllText(path);
        var lines = text.Split('\n');

        Assert.EndsWith("\n", text);
        Assert.Equal(22, lines.Length); // 21 lines and the empty string after the last newline
        Assert.Equal(["#", "# 2048 bit OpenVPN static key", "#", "-----BEGIN OpenVPN Static key V1-----"], lines[..4]);
        Assert.Equal("-----END OpenVPN Static key V1-----", lines[20]);
        foreach (var line in lines[4..20])
            Assert.Matches("^[0-9a-f]{32}$", line);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void Key_parses_with_the_servers_static_key_reader_as_256_bytes()
    {
        var path = Path.Combine(_temp.Parent, "tc.key");
        StaticKeyFile.WriteNew(path);
        var text = File.ReadAllText(path);
        var key = StaticKey.Parse(text);

        Assert.Equal(256, key.Bytes.Length);
        var hex = string.Concat(text.Split('\n')[4..20]);
        Assert.Equal(hex, Convert.ToHexStringLower(key.Bytes));
    }

    [Fact]
    public void Keys_differ()
    {
        Assert.NotEqual(StaticKeyFile.Generate(), StaticKeyFile.Generate());
    }

    [Fact]
    public void Format_writes_the_bytes_in_order()
    {
        var bytes = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var text = StaticKeyFile.Format(bytes);
        Assert.Contains("\n000102030405060708090a0b0c0d0e0f\n", text);
        Assert.Contains("\nf0f1f2f3f4f5f6f7f8f9fafbfcfdfeff\n", text);
        Assert.Equal(bytes, StaticKey.Parse(text).Bytes.ToArray());
    }

    [Fact]
    public void Refuses_an_existing_file()
    {
        var path = Path.Combine(_temp.Parent, "tc.key");
        File.WriteAllText(path, "keep me");
        var error = Assert.Throws<PkiException>(() => StaticKeyFile.WriteNew(path));
        Assert.Contains("already exists", error.Message);
        Assert.Equal("keep me", File.ReadAllText(path));
    }

    [Fact]
    public void Refuses_a_missing_directory()
    {
        Assert.Throws<PkiException>(() => StaticKeyFile.WriteNew(Path.Combine(_temp.Parent, "nope", "tc.key")));
    }

    [Fact]
    public void Extracts_the_key_block_without_comments()
    {
        var text = StaticKeyFile.Generate();
        var block = StaticKeyFile.ExtractBlock(text.Replace("\n", "\r\n", StringComparison.Ordinal), "tc.key");
        Assert.StartsWith("-----BEGIN OpenVPN Static key V1-----\n", block);
        Assert.EndsWith("-----END OpenVPN Static key V1-----\n", block);
        Assert.DoesNotContain("#", block);
        Assert.Equal(StaticKey.Parse(text).Bytes.ToArray(), StaticKey.Parse(block).Bytes.ToArray());
    }

    [Theory]
    [InlineData("not a key")]
    [InlineData("-----BEGIN OpenVPN Static key V1-----\nabcd\n-----END OpenVPN Static key V1-----\n")]
    [InlineData("-----BEGIN OpenVPN Static key V1-----\n")]
    public void Refuses_text_that_is_not_a_256_byte_key(string text)
    {
        Assert.Throws<PkiException>(() => StaticKeyFile.ExtractBlock(text, "x.key"));
    }
}
