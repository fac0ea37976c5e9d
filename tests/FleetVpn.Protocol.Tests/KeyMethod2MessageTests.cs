using System.Text.Json.Nodes;
using FleetVpn.Protocol.Keys;
using FleetVpn.Protocol.Tests.Fixtures;

namespace FleetVpn.Protocol.Tests;

public class KeyMethod2MessageTests
{
    /// <summary>
    /// decoded.json only holds the parsed fields, so the exact bytes are recovered from the capture:
    /// the no-wrap-cbc control payloads re-assembled in msg-pid order and TLS 1.3-decrypted with the key log.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ParsesTheRealMessagesOfTheNoWrapCapture(bool fromClient)
    {
        var session = new CapturedSession("no-wrap-cbc");
        var plaintext = session.TlsPlaintext(fromClient);
        var expected = session.Tls(0)[fromClient ? "km2_client" : "km2_server"]!;
        int totalLength = expected["total_len"]!.GetValue<int>();
        Assert.True(plaintext.Length > totalLength, "the TLS plaintext should hold the key-method-2 message and a control command");

        var status = KeyMethod2Message.TryParse(plaintext, fromClient, out var message, out int consumed);

        Assert.Equal(KeyMethod2Message.ParseStatus.Complete, status);
        Assert.Equal(totalLength, consumed);
        AssertFields(expected, message!, fromClient);
        // Writing the parsed message gives back the exact bytes the real peer sent.
        Assert.Equal(Convert.ToHexString(plaintext[..consumed]), Convert.ToHexString(message!.ToBytes()));
    }

    /// <summary>Same with tls-auth (HMAC stripped): username/password present; legacy-PRF sessions also check the derived keys.</summary>
    [Theory]
    [InlineData("tls-auth", 20)]
    [InlineData("legacy-prf-cbc", 64)]
    [InlineData("legacy-prf-gcm", 32)]
    public void ParsesTheRealMessagesOfTlsAuthCaptures(string fixture, int hmacLength)
    {
        var session = new CapturedSession(fixture, hmacLength);
        var messages = new Dictionary<bool, KeyMethod2Message>();
        foreach (bool fromClient in new[] { true, false })
        {
            var plaintext = session.TlsPlaintext(fromClient);
            var expected = session.Tls(0)[fromClient ? "km2_client" : "km2_server"]!;
            Assert.Equal(KeyMethod2Message.ParseStatus.Complete, KeyMethod2Message.TryParse(plaintext, fromClient, out var message, out int consumed));
            Assert.Equal(expected["total_len"]!.GetValue<int>(), consumed);
            AssertFields(expected, message!, fromClient);
            Assert.Equal(plaintext[..consumed], message!.ToBytes());
            messages[fromClient] = message;
        }

        if (fixture.StartsWith("legacy-prf", StringComparison.Ordinal))
        {
            // The randoms parsed from the real messages and the captured session ids give OpenVPN's key2.
            var reset = session.ControlPackets.First();
            var serverReset = session.ControlPackets.First(p => !p.ClientToServer);
            var key2 = LegacyKeyExpansion.Derive(messages[true].Keys, messages[false].Keys,
                Wire.SessionId.Read(reset.Raw.AsSpan(1)), Wire.SessionId.Read(serverReset.Raw.AsSpan(1)));
            Assert.Equal(FixtureFiles.Hex(FixtureFiles.PrfVector($"({fixture})")["key2_hex"]), key2.Bytes.ToArray());
        }
    }

    [Theory]
    [InlineData("tls-crypt")]
    [InlineData("tls-auth")]
    [InlineData("legacy-prf-gcm")]
    public void BuildsFromDecodedFieldsAndRoundTrips(string fixture)
    {
        var tls = FixtureFiles.Json(fixture, "decoded.json")["tls"]!["0"]!;
        foreach (bool fromClient in new[] { true, false })
        {
            var fields = tls[fromClient ? "km2_client" : "km2_server"]!;
            var message = FromFields(fields, fromClient);

            var bytes = message.ToBytes();

            Assert.Equal(fields["total_len"]!.GetValue<int>(), bytes.Length);
            Assert.Equal([0, 0, 0, 0, 2], bytes[..5]);
            Assert.Equal(KeyMethod2Message.ParseStatus.Complete, KeyMethod2Message.TryParse(bytes, fromClient, out var parsed, out int consumed));
            Assert.Equal(bytes.Length, consumed);
            AssertFields(fields, parsed!, fromClient);
        }
    }

    [Fact]
    public void ServerMessageOfTheMainFixtureHasTheDocumentedSize()
    {
        // §5.3: 178 bytes with a 101-byte options string and empty user/pass/peer-info.
        var fields = FixtureFiles.Json("tls-crypt", "decoded.json")["tls"]!["0"]!["km2_server"]!;
        var bytes = FromFields(fields, fromClient: false).ToBytes();
        Assert.Equal(178, bytes.Length);
        Assert.Equal([0, 0, 0, 0, 0, 0], bytes[^6..]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void EveryTruncatedPrefixNeedsMore(bool fromClient)
    {
        var fields = FixtureFiles.Json("tls-auth", "decoded.json")["tls"]!["0"]![fromClient ? "km2_client" : "km2_server"]!;
        var bytes = FromFields(fields, fromClient).ToBytes();

        for (int length = 0; length < bytes.Length; length++)
        {
            var status = KeyMethod2Message.TryParse(bytes.AsSpan(0, length), fromClient, out var message, out int consumed);
            Assert.True(status == KeyMethod2Message.ParseStatus.NeedMore, $"prefix of {length}/{bytes.Length} bytes gave {status}");
            Assert.Null(message);
            Assert.Equal(0, consumed);
        }
        Assert.Equal(KeyMethod2Message.ParseStatus.Complete, KeyMethod2Message.TryParse(bytes, fromClient, out _, out _));
    }

    [Fact]
    public void TrailingBytesAreLeftForTheCaller()
    {
        var fields = FixtureFiles.Json("tls-crypt", "decoded.json")["tls"]!["0"]!["km2_client"]!;
        var bytes = FromFields(fields, true).ToBytes();
        byte[] withCommand = [.. bytes, .. "PUSH_REQUEST\0"u8];
        Assert.Equal(KeyMethod2Message.ParseStatus.Complete, KeyMethod2Message.TryParse(withCommand, true, out _, out int consumed));
        Assert.Equal(bytes.Length, consumed);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(0x10)] // low nibble 0
    public void WrongKeyMethodIsInvalid(byte keyMethod)
    {
        var fields = FixtureFiles.Json("tls-crypt", "decoded.json")["tls"]!["0"]!["km2_client"]!;
        var bytes = FromFields(fields, true).ToBytes();
        bytes[4] = keyMethod;
        Assert.Equal(KeyMethod2Message.ParseStatus.Invalid, KeyMethod2Message.TryParse(bytes, true, out var message, out _));
        Assert.Null(message);
    }

    [Fact]
    public void KeyMethodIsReadFromTheLowNibble()
    {
        // key_method_2_read() masks with KEY_METHOD_MASK (0x0F).
        var fields = FixtureFiles.Json("tls-crypt", "decoded.json")["tls"]!["0"]!["km2_server"]!;
        var bytes = FromFields(fields, false).ToBytes();
        bytes[4] = 0xF2;
        Assert.Equal(KeyMethod2Message.ParseStatus.Complete, KeyMethod2Message.TryParse(bytes, false, out _, out _));
    }

    [Fact]
    public void StringWithoutTerminatingNulIsInvalid()
    {
        var message = new KeyMethod2Message { Keys = KeySource.NewRandom(false), Options = "V4,dev-type tun" };
        var bytes = message.ToBytes();
        int optionsEnd = 5 + 64 + 2 + "V4,dev-type tun".Length; // index of the options NUL
        Assert.Equal(0, bytes[optionsEnd]);
        bytes[optionsEnd] = (byte)'x';
        Assert.Equal(KeyMethod2Message.ParseStatus.Invalid, KeyMethod2Message.TryParse(bytes, false, out _, out _));
    }

    [Fact]
    public void EmptyStringsAreWrittenAsTwoZeroBytes()
    {
        var keys = new KeySource(null, new byte[32], new byte[32]);
        var bytes = new KeyMethod2Message { Keys = keys, Options = "V4" }.ToBytes();
        Assert.Equal(5 + 64 + (2 + 3) + 2 + 2 + 2, bytes.Length);
        Assert.Equal([0, 3, (byte)'V', (byte)'4', 0, 0, 0, 0, 0, 0, 0], bytes[69..]);
    }

    [Fact]
    public void ClientMessageCarriesPreMasterServerMessageDoesNot()
    {
        var client = new KeyMethod2Message { Keys = KeySource.NewRandom(true), Options = "V4" };
        var server = new KeyMethod2Message { Keys = KeySource.NewRandom(false), Options = "V4" };
        Assert.Equal(server.ToBytes().Length + 48, client.ToBytes().Length);

        Assert.Equal(KeyMethod2Message.ParseStatus.Complete, KeyMethod2Message.TryParse(client.ToBytes(), true, out var parsed, out _));
        Assert.Equal(client.Keys.PreMaster, parsed!.Keys.PreMaster);
        Assert.Equal(client.Keys.Random1, parsed.Keys.Random1);
        Assert.Equal(client.Keys.Random2, parsed.Keys.Random2);
        Assert.Equal(KeyMethod2Message.ParseStatus.Complete, KeyMethod2Message.TryParse(server.ToBytes(), false, out parsed, out _));
        Assert.Null(parsed!.Keys.PreMaster);
    }

    [Fact]
    public void RandomGarbageNeverThrows()
    {
        var random = new Random(7);
        for (int i = 0; i < 5_000; i++)
        {
            var buffer = new byte[random.Next(0, 400)];
            random.NextBytes(buffer);
            if (buffer.Length > 4) buffer[4] = 2;
            _ = KeyMethod2Message.TryParse(buffer, (i & 1) == 0, out _, out _);
        }
    }

    internal static KeyMethod2Message FromFields(JsonNode f, bool fromClient) => new()
    {
        Keys = new KeySource(fromClient ? FixtureFiles.Hex(f["pre_master"]) : null, FixtureFiles.Hex(f["random1"]), FixtureFiles.Hex(f["random2"])),
        Options = f["options"]!.GetValue<string>(),
        Username = f["username"]!.GetValue<string>(),
        Password = f["password"]!.GetValue<string>(),
        PeerInfo = f["peer_info"]!.GetValue<string>(),
    };

    private static void AssertFields(JsonNode expected, KeyMethod2Message actual, bool fromClient)
    {
        Assert.Equal(2, expected["key_method"]!.GetValue<int>());
        if (fromClient) Assert.Equal(FixtureFiles.Hex(expected["pre_master"]), actual.Keys.PreMaster);
        else Assert.Null(actual.Keys.PreMaster);
        Assert.Equal(FixtureFiles.Hex(expected["random1"]), actual.Keys.Random1);
        Assert.Equal(FixtureFiles.Hex(expected["random2"]), actual.Keys.Random2);
        Assert.Equal(expected["options"]!.GetValue<string>(), actual.Options);
        Assert.Equal(expected["username"]!.GetValue<string>(), actual.Username);
        Assert.Equal(expected["password"]!.GetValue<string>(), actual.Password);
        Assert.Equal(expected["peer_info"]!.GetValue<string>(), actual.PeerInfo);
        // The length fields include the NUL (0 for an empty string).
        Assert.Equal(expected["options_len"]!.GetValue<int>(), actual.Options.Length + 1);
        Assert.Equal(expected["username_len"]!.GetValue<int>(), actual.Username.Length == 0 ? 0 : actual.Username.Length + 1);
        Assert.Equal(expected["peer_info_len"]!.GetValue<int>(), actual.PeerInfo.Length == 0 ? 0 : actual.PeerInfo.Length + 1);
    }
}
