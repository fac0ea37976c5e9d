using System.Text.Json.Nodes;
using FleetVpn.Protocol.Tests.Fixtures;
using FleetVpn.Protocol.Wire;

namespace FleetVpn.Protocol.Tests;

public class ControlPacketTests
{
    private static readonly byte[] ClientReset = Convert.FromHexString("38" + "3ef013eb3db12560" + "00" + "00000000");
    private static readonly byte[] ServerReset = Convert.FromHexString("40" + "b62dfefd3f32c7dc" + "01" + "00000000" + "3ef013eb3db12560" + "00000000");

    private static readonly SessionId ClientSid = new(0x3ef013eb3db12560);
    private static readonly SessionId ServerSid = new(0xb62dfefd3f32c7dc);

    [Fact]
    public void ParsesDocumentedClientReset()
    {
        Assert.True(ControlPacket.TryParse(ClientReset, out var p));
        Assert.Equal(Opcode.ControlHardResetClientV2, p.Opcode);
        Assert.Equal(0, p.KeyId);
        Assert.Equal(ClientSid, p.SessionId);
        Assert.Equal(0, p.AckCount);
        Assert.True(p.AckBytes.IsEmpty);
        Assert.Equal(default, p.RemoteSessionId);
        Assert.True(p.HasMessageId);
        Assert.Equal(0u, p.MessageId);
        Assert.True(p.Payload.IsEmpty);
    }

    [Fact]
    public void ParsesDocumentedServerReset()
    {
        Assert.True(ControlPacket.TryParse(ServerReset, out var p));
        Assert.Equal(Opcode.ControlHardResetServerV2, p.Opcode);
        Assert.Equal(0, p.KeyId);
        Assert.Equal(ServerSid, p.SessionId);
        Assert.Equal(1, p.AckCount);
        Assert.Equal(0u, p.GetAck(0));
        Assert.Equal(ClientSid, p.RemoteSessionId);
        Assert.Equal(0u, p.MessageId);
        Assert.True(p.Payload.IsEmpty);
    }

    [Fact]
    public void WriteReproducesDocumentedResets()
    {
        var buffer = new byte[64];
        int n = ControlPacket.Write(buffer, Opcode.ControlHardResetClientV2, 0, ClientSid, [], default, 0, []);
        Assert.Equal(ClientReset, buffer[..n]);
        Assert.Equal(n, ControlPacket.GetSize(0, true, 0));

        n = ControlPacket.Write(buffer, Opcode.ControlHardResetServerV2, 0, ServerSid, [0u], ClientSid, 0, []);
        Assert.Equal(ServerReset, buffer[..n]);
        Assert.Equal(n, ControlPacket.GetSize(1, true, 0));
    }

    /// <summary>Every control packet of the no-wrap-cbc capture (raw bytes from capture.pcapng) against decoded.json.</summary>
    [Fact]
    public void ParsesEveryUnwrappedControlPacketOfTheNoWrapCapture()
    {
        var session = new CapturedSession("no-wrap-cbc");
        var control = session.ControlPackets.ToList();
        Assert.True(control.Count >= 15, $"expected the whole handshake, found {control.Count} control packets");
        Assert.Equal(ClientReset, control[0].Raw);
        Assert.Equal(ServerReset, control[1].Raw);

        foreach (var packet in control)
        {
            Assert.True(ControlPacket.TryParse(packet.Raw, out var p), $"frame {packet.Frame} did not parse");
            AssertMatchesDecoded(packet.Decoded, p, $"frame {packet.Frame}");
        }
    }

    /// <summary>Same check on a tls-auth session once the HMAC and replay id are cut out.</summary>
    [Fact]
    public void ParsesTlsAuthControlPacketsAfterUnwrapping()
    {
        var session = new CapturedSession("tls-auth", tlsAuthHmacLength: 20);
        foreach (var packet in session.ControlPackets)
        {
            Assert.True(ControlPacket.TryParse(session.Unwrapped(packet), out var p), $"frame {packet.Frame} did not parse");
            AssertMatchesDecoded(packet.Decoded, p, $"frame {packet.Frame}");
        }
    }

    /// <summary>The tls-crypt vectors give the decrypted body; header op|sid + body is the unwrapped packet.</summary>
    [Theory]
    [InlineData("P_CONTROL_HARD_RESET_CLIENT_V2", Opcode.ControlHardResetClientV2, 0, 0u)]
    [InlineData("P_CONTROL_HARD_RESET_SERVER_V2", Opcode.ControlHardResetServerV2, 1, 0u)]
    [InlineData("P_CONTROL_V1 carrying the TLS ClientHello", Opcode.ControlV1, 1, 1u)]
    [InlineData("client P_ACK_V1", Opcode.AckV1, 2, 0u)]
    public void ParsesDecryptedTlsCryptVectors(string name, Opcode opcode, int acks, uint messageId)
    {
        var v = FixtureFiles.Json("packet-vectors.json")["vectors"]!.AsArray()
            .Single(x => x!["name"]!.GetValue<string>().StartsWith("tls-crypt control packet", StringComparison.Ordinal)
                         && x["name"]!.GetValue<string>().Contains(name, StringComparison.Ordinal))!;
        var header = FixtureFiles.Hex(v["header_hex (opcode|sid|replay-pid|time)"]);
        var body = FixtureFiles.Hex(v["decrypted_hex (acks|[remote sid]|[msg pid]|payload)"]);
        byte[] unwrapped = [.. header[..9], .. body];

        Assert.True(ControlPacket.TryParse(unwrapped, out var p));
        Assert.Equal(opcode, p.Opcode);
        Assert.Equal(SessionId.Read(header.AsSpan(1)), p.SessionId);
        Assert.Equal(acks, p.AckCount);
        Assert.Equal(opcode != Opcode.AckV1, p.HasMessageId);
        if (p.HasMessageId) Assert.Equal(messageId, p.MessageId);
        if (opcode == Opcode.ControlV1)
        {
            Assert.Equal(0x16, p.Payload[0]); // TLS handshake record (ClientHello)
            Assert.Equal(0u, p.GetAck(0));
            Assert.Equal(new SessionId(0xdc7426858bbf420e), p.RemoteSessionId);
        }
        if (opcode == Opcode.AckV1)
        {
            Assert.Equal(1u, p.GetAck(0));
            Assert.Equal(0u, p.GetAck(1));
        }
    }

    public static TheoryData<Opcode, int, uint[], uint, int> RoundTripCases => new()
    {
        { Opcode.ControlHardResetClientV2, 0, [], 0u, 0 },
        { Opcode.ControlHardResetServerV2, 0, [0u], 0u, 6 },
        { Opcode.ControlV1, 0, [3u, 2u, 1u, 0u], 7u, 1140 },
        { Opcode.ControlV1, 7, [], uint.MaxValue, 1 },
        { Opcode.AckV1, 0, [6u, 5u, 4u, 3u, 2u, 1u, 0u, 9u], 0u, 0 },
        { Opcode.AckV1, 3, [0xFFFFFFFFu], 0u, 0 },
        { Opcode.ControlSoftResetV1, 1, [0u], 0u, 0 },
        { Opcode.ControlHardResetClientV3, 0, [], 0u, 0 },
        { Opcode.ControlWkcV1, 0, [0u], 1u, 277 },
    };

    [Theory]
    [MemberData(nameof(RoundTripCases))]
    public void WriteThenParseRoundTrips(Opcode opcode, int keyId, uint[] acks, uint messageId, int payloadLength)
    {
        var own = new SessionId(0x0102030405060708);
        var remote = new SessionId(0xfffefdfcfbfaf9f8);
        var payload = Enumerable.Range(0, payloadLength).Select(i => (byte)(i * 7 + 1)).ToArray();
        bool hasMessageId = opcode != Opcode.AckV1;
        var buffer = new byte[ControlPacket.GetSize(acks.Length, hasMessageId, payload.Length)];

        int written = ControlPacket.Write(buffer, opcode, keyId, own, acks, remote, messageId, payload);

        Assert.Equal(buffer.Length, written);
        Assert.True(ControlPacket.TryParse(buffer, out var p));
        Assert.Equal(opcode, p.Opcode);
        Assert.Equal(keyId, p.KeyId);
        Assert.Equal(own, p.SessionId);
        Assert.Equal(acks.Length, p.AckCount);
        Assert.Equal(acks, Acks(p));
        Assert.Equal(acks.Length > 0 ? remote : default, p.RemoteSessionId);
        Assert.Equal(hasMessageId, p.HasMessageId);
        Assert.Equal(hasMessageId ? messageId : 0u, p.MessageId);
        Assert.Equal(payload, p.Payload.ToArray());
    }

    [Fact]
    public void WriteRefusesMoreThanEightAcksAndSmallBuffers()
    {
        var own = new SessionId(1);
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            ControlPacket.Write(new byte[100], Opcode.AckV1, 0, own, new uint[9], own, 0, []));
        Assert.Throws<ArgumentException>(() =>
            ControlPacket.Write(new byte[13], Opcode.ControlHardResetClientV2, 0, own, [], default, 0, []));
    }

    public static TheoryData<string> ValidPackets => new()
    {
        Convert.ToHexString(ClientReset),
        Convert.ToHexString(ServerReset),
        "20" + "3ef013eb3db12560" + "02" + "00000001" + "00000000" + "b62dfefd3f32c7dc" + "00000002" + "160303",
        "28" + "3ef013eb3db12560" + "02" + "00000001" + "00000000" + "b62dfefd3f32c7dc",
    };

    [Theory]
    [MemberData(nameof(ValidPackets))]
    public void EveryTruncationIsRejected(string hex)
    {
        var packet = Convert.FromHexString(hex);
        Assert.True(ControlPacket.TryParse(packet, out var full));
        int minimum = ControlPacket.GetSize(full.AckCount, full.HasMessageId, 0);
        for (int length = 0; length < packet.Length; length++)
        {
            bool ok = ControlPacket.TryParse(packet.AsSpan(0, length), out var p);
            if (length < minimum)
            {
                Assert.False(ok, $"accepted a {length}-byte prefix of a {packet.Length}-byte packet");
            }
            else
            {
                // Only the payload may be cut short (it is opaque TLS data).
                Assert.True(ok);
                Assert.Equal(length - minimum, p.Payload.Length);
            }
        }
    }

    [Fact]
    public void MoreThanEightAcksIsRejected()
    {
        var own = new SessionId(0x1111111111111111);
        var remote = new SessionId(0x2222222222222222);
        var eight = new byte[ControlPacket.GetSize(8, false, 0)];
        ControlPacket.Write(eight, Opcode.AckV1, 0, own, [1, 2, 3, 4, 5, 6, 7, 8], remote, 0, []);
        Assert.True(ControlPacket.TryParse(eight, out _));

        // Same layout with n = 9 and a ninth id: exactly the right length, but over RELIABLE_ACK_SIZE.
        byte[] nine = [.. eight[..10], .. new byte[4 * 8], 0, 0, 0, 9, .. eight[^8..]];
        nine[9] = 9;
        Assert.Equal(ControlPacket.GetSize(9, false, 0), nine.Length);
        Assert.False(ControlPacket.TryParse(nine, out _));

        var control = new byte[ControlPacket.GetSize(9, true, 0)];
        control[0] = PacketByte0.Make(Opcode.ControlV1, 0);
        own.Write(control.AsSpan(1));
        control[9] = 9;
        remote.Write(control.AsSpan(10 + 36));
        Assert.False(ControlPacket.TryParse(control, out _));

        for (int n = 9; n <= 255; n++)
        {
            var big = new byte[ControlPacket.GetSize(n, true, 0)];
            big[0] = PacketByte0.Make(Opcode.ControlV1, 0);
            own.Write(big.AsSpan(1));
            big[9] = (byte)n;
            Assert.False(ControlPacket.TryParse(big, out _), $"accepted n={n}");
        }
    }

    [Fact]
    public void AckV1WithoutAcksIsRejected()
    {
        // 28 sid 00: an ACK_V1 must carry at least one id.
        var packet = Convert.FromHexString("28" + "3ef013eb3db12560" + "00");
        Assert.False(ControlPacket.TryParse(packet, out _));
        var withJunk = Convert.FromHexString("28" + "3ef013eb3db12560" + "00" + "00000000");
        Assert.False(ControlPacket.TryParse(withJunk, out _));
    }

    [Fact]
    public void AckV1WithTrailingBytesIsRejected()
    {
        var ack = Convert.FromHexString("28" + "3ef013eb3db12560" + "01" + "00000000" + "b62dfefd3f32c7dc");
        Assert.True(ControlPacket.TryParse(ack, out var p));
        Assert.True(p.Payload.IsEmpty);
        Assert.False(p.HasMessageId);
        for (int extra = 1; extra <= 8; extra++)
            Assert.False(ControlPacket.TryParse([.. ack, .. new byte[extra]], out _), $"accepted {extra} trailing bytes");
    }

    [Fact]
    public void ZeroSessionIdIsRejected()
    {
        Assert.False(ControlPacket.TryParse(Convert.FromHexString("38" + "0000000000000000" + "00" + "00000000"), out _));
        Assert.False(ControlPacket.TryParse(Convert.FromHexString("28" + "0000000000000000" + "01" + "00000000" + "b62dfefd3f32c7dc"), out _));
    }

    [Fact]
    public void ZeroRemoteSessionIdIsParsedForTheCallerToCheck()
    {
        // The remote sid must equal the receiver's own sid, which TryParse cannot know; it just reports it.
        Assert.True(ControlPacket.TryParse(Convert.FromHexString("28" + "3ef013eb3db12560" + "01" + "00000000" + "0000000000000000"), out var p));
        Assert.False(p.RemoteSessionId.IsValid);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)] // HARD_RESET_CLIENT_V1 (key-method 1)
    [InlineData(2)] // HARD_RESET_SERVER_V1
    [InlineData(6)] // P_DATA_V1
    [InlineData(9)] // P_DATA_V2
    [InlineData(12)]
    [InlineData(31)]
    public void NonControlOpcodesAreRejected(int opcode)
    {
        for (int keyId = 0; keyId < 8; keyId++)
        {
            var packet = Convert.FromHexString("00" + "3ef013eb3db12560" + "00" + "00000000" + "abcdef");
            packet[0] = (byte)((opcode << 3) | keyId);
            Assert.False(ControlPacket.TryParse(packet, out _), $"accepted opcode {opcode} key-id {keyId}");
        }
    }

    [Fact]
    public void DataPacketsOfTheCaptureAreNotControlPackets()
    {
        var session = new CapturedSession("no-wrap-cbc");
        var data = session.DataPackets.ToList();
        Assert.NotEmpty(data);
        foreach (var packet in data) Assert.False(ControlPacket.TryParse(packet.Raw, out _), $"frame {packet.Frame}");
    }

    [Fact]
    public void KeyIdIsTakenFromTheLowBits()
    {
        var packet = (byte[])ClientReset.Clone();
        packet[0] = PacketByte0.Make(Opcode.ControlSoftResetV1, 5);
        Assert.Equal(0x1D, packet[0]);
        Assert.True(ControlPacket.TryParse(packet, out var p));
        Assert.Equal(Opcode.ControlSoftResetV1, p.Opcode);
        Assert.Equal(5, p.KeyId);
    }

    [Fact]
    public void RandomBuffersNeverThrow()
    {
        var random = new Random(20261126);
        int accepted = 0;
        for (int i = 0; i < 10_000; i++)
        {
            var buffer = new byte[random.Next(0, 80)];
            random.NextBytes(buffer);
            // Bias half the inputs towards plausible headers so the deeper branches are reached too.
            if (buffer.Length > 9 && (i & 1) == 0)
            {
                var opcodes = new[] { 3, 4, 5, 7, 8, 10, 11 };
                buffer[0] = (byte)((opcodes[random.Next(opcodes.Length)] << 3) | random.Next(8));
                buffer[9] = (byte)random.Next(0, 11);
            }
            if (ControlPacket.TryParse(buffer, out var p))
            {
                accepted++;
                Assert.InRange(p.AckCount, p.Opcode == Opcode.AckV1 ? 1 : 0, ControlPacket.MaxAcks);
                Assert.Equal(buffer.Length, ControlPacket.GetSize(p.AckCount, p.HasMessageId, p.Payload.Length));
            }
        }
        Assert.True(accepted > 100, $"only {accepted} random packets parsed: the generator does not reach the success path");
    }

    private static void AssertMatchesDecoded(JsonNode d, ControlPacket p, string where)
    {
        Assert.True(d["opcode"]!.GetValue<string>() == OpenVpnName(p.Opcode), $"{where}: opcode {p.Opcode}");
        Assert.Equal(d["key_id"]!.GetValue<int>(), p.KeyId);
        Assert.Equal(d["session_id"]!.GetValue<string>(), p.SessionId.ToString());
        var acks = d["acks"]!.AsArray().Select(a => a!.GetValue<uint>()).ToArray();
        Assert.Equal(acks, Acks(p));
        var remote = d["remote_session_id"];
        if (remote is null) Assert.Equal(default, p.RemoteSessionId);
        else Assert.Equal(remote.GetValue<string>(), p.RemoteSessionId.ToString());
        var msgPid = d["msg_packet_id"];
        Assert.Equal(msgPid is not null, p.HasMessageId);
        if (msgPid is not null) Assert.Equal(msgPid.GetValue<uint>(), p.MessageId);
        Assert.Equal(d["payload_len"]!.GetValue<int>(), p.Payload.Length);
    }

    private static uint[] Acks(ControlPacket p)
    {
        var acks = new uint[p.AckCount];
        for (int i = 0; i < acks.Length; i++) acks[i] = p.GetAck(i);
        return acks;
    }

    private static string OpenVpnName(Opcode opcode) => opcode switch
    {
        Opcode.ControlHardResetClientV2 => "P_CONTROL_HARD_RESET_CLIENT_V2",
        Opcode.ControlHardResetServerV2 => "P_CONTROL_HARD_RESET_SERVER_V2",
        Opcode.ControlHardResetClientV3 => "P_CONTROL_HARD_RESET_CLIENT_V3",
        Opcode.ControlSoftResetV1 => "P_CONTROL_SOFT_RESET_V1",
        Opcode.ControlV1 => "P_CONTROL_V1",
        Opcode.ControlWkcV1 => "P_CONTROL_WKC_V1",
        Opcode.AckV1 => "P_ACK_V1",
        _ => opcode.ToString(),
    };
}
