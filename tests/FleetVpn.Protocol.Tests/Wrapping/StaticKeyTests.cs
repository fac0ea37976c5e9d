using FleetVpn.Protocol.Tests.Fixtures;
using FleetVpn.Protocol.Wrapping;

namespace FleetVpn.Protocol.Tests;

public class StaticKeyTests
{
    [Fact]
    public void ParsesTaKey()
    {
        var text = VectorFields.KeyFileText("ta.key");
        var key = StaticKey.Parse(text);
        var expected = Convert.FromHexString(string.Concat(text.Split('\n')
            .SkipWhile(l => !l.StartsWith("-----BEGIN", StringComparison.Ordinal)).Skip(1)
            .TakeWhile(l => !l.StartsWith("-----END", StringComparison.Ordinal)).Select(l => l.Trim())));
        Assert.Equal(StaticKey.Size, expected.Length);
        Assert.Equal(expected, key.Bytes.ToArray());
        Assert.Equal(expected, key.ToKeyMaterial().Bytes.ToArray());
        Assert.Equal(expected[..64], key.Cipher(0).ToArray());
        Assert.Equal(expected[64..128], key.Hmac(0).ToArray());
        Assert.Equal(expected[128..192], key.Cipher(1).ToArray());
        Assert.Equal(expected[192..], key.Hmac(1).ToArray());

        // packet-vectors.json: the client (key-direction 1) signs with keys[1].hmac[0:20].
        var vector = FixtureFiles.PacketVector("tls-auth");
        Assert.Equal(vector.HexField("hmac_key_hex"), key.Hmac(1)[..20].ToArray());
    }

    [Fact]
    public void ParsesTcKeyAndMatchesTheTlsCryptVectors()
    {
        var key = StaticKey.Parse(VectorFields.KeyFileText("tc.key"));
        var vectors = FixtureFiles.Json("packet-vectors.json")["vectors"]!.AsArray()
            .Where(v => v!["name"]!.GetValue<string>().StartsWith("tls-crypt control packet", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, vectors.Count);
        foreach (var v in vectors)
        {
            int slot = v!["static_key_slot"]!.GetValue<int>();
            Assert.Equal(v["direction"]!.GetValue<string>() == "server->client" ? 0 : 1, slot);
            Assert.Equal(v.HexField("aes256ctr_key_hex"), key.Cipher(slot)[..32].ToArray());
            Assert.Equal(v.HexField("hmac_sha256_key_hex"), key.Hmac(slot)[..32].ToArray());
        }
    }

    [Fact]
    public void IgnoresSurroundingTextAndAcceptsAnyLineLayout()
    {
        var bytes = Enumerable.Range(0, 256).Select(i => (byte)(i * 7 + 3)).ToArray();
        var hex = Convert.ToHexString(bytes);
        var text = "# comment\r\nsome text -----BEGIN OpenVPN Static key V1-----\r\n" + StaticKey.Header + " trailing\r\n"
                   + hex[..100].ToLowerInvariant() + "\r\n  \t" + hex[100..301] + " " + hex[301..] + "\r\n\r\n"
                   + StaticKey.Footer + "\r\n0123 not key data\n";
        Assert.Equal(bytes, StaticKey.Parse(text).Bytes.ToArray());
    }

    public static TheoryData<string, string> BadFiles
    {
        get
        {
            var hex = new string('a', 512);
            string Wrap(string body) => $"{StaticKey.Header}\n{body}\n{StaticKey.Footer}\n";
            return new TheoryData<string, string>
            {
                { "", "no '-----BEGIN OpenVPN Static key V1-----' line" },
                { "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", "no '-----BEGIN OpenVPN Static key V1-----' line" },
                { " " + Wrap(hex), "no '-----BEGIN OpenVPN Static key V1-----' line" },
                { $"{StaticKey.Header}\n{hex}\n", "no '-----END OpenVPN Static key V1-----' line" },
                { $"{StaticKey.Header}\n{hex}\n-----END OpenVPN Static key V2-----\n", "line 3: expected '-----END OpenVPN Static key V1-----'" },
                { Wrap(hex[..100] + "\n" + hex[100..200] + "g" + hex[201..]), "line 3: 'g' is not a hex digit" },
                { Wrap(hex[..511]), "odd number of hex digits" },
                { Wrap(hex[..510]), "static key has 255 bytes, expected 256" },
                { Wrap(hex[..256]), "static key has 128 bytes, expected 256" },
                { Wrap(hex + "\n00"), "line 3: more than 256 bytes of key data" },
                { Wrap(""), "static key has 0 bytes, expected 256" },
            };
        }
    }

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void RefusesBadFilesWithAReason(string text, string reason)
    {
        var error = Assert.Throws<FormatException>(() => StaticKey.Parse(text));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusesWrongSizeBytes()
    {
        Assert.Throws<ArgumentException>(() => new StaticKey(new byte[255]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StaticKey(new byte[256]).Hmac(2));
    }

    [Theory]
    [InlineData(KeyDirection.Bidirectional, 0, 0)]
    [InlineData(KeyDirection.Normal, 0, 1)]
    [InlineData(KeyDirection.Inverse, 1, 0)]
    public void KeyDirectionSelectsSlots(KeyDirection direction, int send, int receive)
    {
        Assert.Equal(send, StaticKey.SendSlot(direction));
        Assert.Equal(receive, StaticKey.ReceiveSlot(direction));
    }
}
