using System.Buffers.Binary;
using FleetVpn.Protocol.Tests.Fixtures;
using FleetVpn.Protocol.Wire;
using FleetVpn.Protocol.Wrapping;

namespace FleetVpn.Protocol.Tests;

/// <summary>
/// tls-crypt-v2 against the real openvpn 2.6.14's keys and its captured V3 reset (fixture tls-crypt-v2, frame 1):
/// the server key unwraps the captured WKc to the Kc and metadata openvpn wrapped, wrapping them again gives the
/// same bytes, and Kc opens the captured packet.
/// </summary>
public class TlsCryptV2Tests
{
    private static readonly System.Text.Json.Nodes.JsonNode Vector = FixtureFiles.PacketVector("tls-crypt-v2 P_CONTROL_HARD_RESET_CLIENT_V3");

    private static TlsCryptV2ServerKey ServerKey() => TlsCryptV2ServerKey.Parse(VectorFields.KeyFileText("tls-crypt-v2-server.key"));

    [Fact]
    public void The_server_key_unwraps_the_captured_WKc_to_openvpns_client_key_and_metadata()
    {
        using var serverKey = ServerKey();
        var kc = new byte[256];
        var metadata = new byte[TlsCryptV2ServerKey.MaxMetadataSize];
        Assert.True(serverKey.TryUnwrapClientKey(Vector.HexField("wkc_hex"), kc, metadata, out int metadataLength));
        Assert.Equal(Convert.ToHexString(Vector.HexField("unwrapped_Kc_hex")), Convert.ToHexString(kc));
        Assert.Equal(Convert.ToHexString(Vector.HexField("metadata_hex")), Convert.ToHexString(metadata, 0, metadataLength));
        Assert.True(TlsCryptV2Metadata.TryGetTimestamp(metadata.AsSpan(0, metadataLength), out long created));
        Assert.Equal(0x6b07b4a5, created);
    }

    [Fact]
    public void Wrapping_openvpns_client_key_again_gives_the_captured_WKc()
    {
        using var serverKey = ServerKey();
        var wkc = serverKey.WrapClientKey(Vector.HexField("unwrapped_Kc_hex"), Vector.HexField("metadata_hex"));
        Assert.Equal(Convert.ToHexString(Vector.HexField("wkc_hex")), Convert.ToHexString(wkc));
        Assert.Equal(Vector["wkc_len"]!.GetValue<int>(), wkc.Length);
    }

    [Fact]
    public void The_client_key_file_holds_Kc_and_the_WKc_the_client_sent_and_writes_back_identically()
    {
        var text = VectorFields.KeyFileText("tls-crypt-v2-client.key");
        var clientKey = TlsCryptV2ClientKey.Parse(text);
        Assert.Equal(Convert.ToHexString(Vector.HexField("unwrapped_Kc_hex")), Convert.ToHexString(clientKey.Key.Bytes));
        Assert.Equal(Convert.ToHexString(Vector.HexField("wkc_hex")), Convert.ToHexString(clientKey.WrappedKey));
        Assert.Equal(text.Replace("\r", ""), clientKey.ToPem());
    }

    [Fact]
    public void The_captured_V3_reset_splits_off_its_WKc_and_opens_with_Kc()
    {
        var datagram = Vector.HexField("udp_payload_hex");
        Assert.Equal(Opcode.ControlHardResetClientV3, PacketByte0.GetOpcode(datagram[0]));
        Assert.True(TlsCryptV2Packet.TrySplit(datagram, out int packetLength));
        Assert.Equal(datagram.Length - Vector["wkc_len"]!.GetValue<int>(), packetLength);
        Assert.Equal(Vector.HexField("wkc_hex"), datagram[packetLength..]);

        var kc = new StaticKey(Vector.HexField("unwrapped_Kc_hex"));
        using var server = TlsCryptWrapper.FromCompactKey(TlsCryptWrapper.CompactKey(kc, isServer: true), isServer: true);
        var unwrapped = new byte[packetLength];
        Assert.True(server.TryUnwrap(datagram.AsSpan(0, packetLength), unwrapped, out int length, out uint replayId, out _));
        Assert.Equal(Vector.HexField("decrypted_hex"), unwrapped.AsSpan(9, length - 9).ToArray());
        Assert.Equal(BinaryPrimitives.ReadUInt32BigEndian(Vector.HexField("replay_packet_id_hex")), replayId);
        Assert.True(TlsCryptV2Packet.MarksEarlyNegotiation(replayId));
        Assert.False(TlsCryptV2Packet.MarksEarlyNegotiation(1));
        // The whole datagram, WKc included, is not a tls-crypt packet.
        Assert.False(server.TryUnwrap(datagram, new byte[datagram.Length], out _, out _, out _));
    }

    [Fact]
    public void A_WKc_with_any_one_byte_flipped_is_refused()
    {
        using var serverKey = ServerKey();
        var wkc = Vector.HexField("wkc_hex");
        var kc = new byte[256];
        var metadata = new byte[TlsCryptV2ServerKey.MaxMetadataSize];
        for (int i = 0; i < wkc.Length; i++)
        {
            var bad = (byte[])wkc.Clone();
            bad[i] ^= 0x01;
            Assert.False(serverKey.TryUnwrapClientKey(bad, kc, metadata, out _), $"accepted with byte {i} flipped");
        }
        Assert.All(kc, b => Assert.Equal(0, b));
        Assert.False(serverKey.TryUnwrapClientKey(wkc.AsSpan(0, wkc.Length - 1), kc, metadata, out _));
        Assert.False(serverKey.TryUnwrapClientKey([], kc, metadata, out _));
    }

    [Fact]
    public void Another_server_key_does_not_unwrap_the_WKc()
    {
        using var other = TlsCryptV2ServerKey.Parse(TlsCryptV2ServerKey.GeneratePem());
        Assert.False(other.TryUnwrapClientKey(Vector.HexField("wkc_hex"), new byte[256], new byte[TlsCryptV2ServerKey.MaxMetadataSize], out _));
    }

    [Fact]
    public void A_new_client_key_round_trips_through_its_file_and_unwraps_with_its_server_key()
    {
        using var serverKey = TlsCryptV2ServerKey.Parse(TlsCryptV2ServerKey.GeneratePem());
        var metadata = TlsCryptV2Metadata.User("device-42"u8);
        var clientKey = TlsCryptV2ClientKey.Parse(TlsCryptV2ClientKey.Create(serverKey, metadata).ToPem());
        var kc = new byte[256];
        var unwrappedMetadata = new byte[TlsCryptV2ServerKey.MaxMetadataSize];
        Assert.True(serverKey.TryUnwrapClientKey(clientKey.WrappedKey, kc, unwrappedMetadata, out int length));
        Assert.Equal(clientKey.Key.Bytes.ToArray(), kc);
        Assert.Equal(metadata, unwrappedMetadata[..length]);
        Assert.False(TlsCryptV2Metadata.TryGetTimestamp(metadata, out _));
    }

    [Theory]
    [InlineData(0, 30, true)]
    [InlineData(30 * 86400, 30, true)]
    [InlineData(30 * 86400 + 1, 30, false)]
    public void Max_age_counts_whole_days_from_the_timestamp(long ageSeconds, int maxDays, bool accepted)
    {
        const long now = 1_800_000_000;
        Assert.Equal(accepted, TlsCryptV2Metadata.IsWithinMaxAge(TlsCryptV2Metadata.Timestamp(now - ageSeconds), maxDays, now));
    }

    [Fact]
    public void Max_age_refuses_user_metadata_and_short_timestamps()
    {
        Assert.False(TlsCryptV2Metadata.IsWithinMaxAge(TlsCryptV2Metadata.User([1, 2, 3, 4, 5, 6, 7, 8]), 365, 0));
        Assert.False(TlsCryptV2Metadata.IsWithinMaxAge([TlsCryptV2Metadata.TypeTimestamp, 0, 0, 0], 365, 0));
        Assert.False(TlsCryptV2Metadata.IsWithinMaxAge([], 365, 0));
    }

    [Fact]
    public void Early_negotiation_TLVs_are_read_as_openvpn_reads_them()
    {
        Assert.True(TlsCryptV2Packet.TryReadEarlyNegotiation(TlsCryptV2Packet.ResendWkcTlv, out bool resend));
        Assert.True(resend);
        Assert.True(TlsCryptV2Packet.TryReadEarlyNegotiation([0x00, 0x07, 0x00, 0x01, 0xAA, 0x00, 0x01, 0x00, 0x02, 0x00, 0x01], out resend));
        Assert.True(resend);
        Assert.True(TlsCryptV2Packet.TryReadEarlyNegotiation([], out resend));
        Assert.False(resend);
        Assert.False(TlsCryptV2Packet.TryReadEarlyNegotiation([0x00, 0x01, 0x00, 0x02, 0x00], out _));
        Assert.False(TlsCryptV2Packet.TryReadEarlyNegotiation([0x00, 0x01, 0x00, 0x03, 0x00, 0x01, 0x00], out _));
    }

    [Fact]
    public void A_datagram_without_a_plausible_WKc_length_does_not_split()
    {
        Assert.False(TlsCryptV2Packet.TrySplit(new byte[400], out _));
        var tooLong = new byte[400];
        BinaryPrimitives.WriteUInt16BigEndian(tooLong.AsSpan(398), 399);
        Assert.False(TlsCryptV2Packet.TrySplit(tooLong, out _), "no room for the tls-crypt header in front");
        Assert.False(TlsCryptV2Packet.TrySplit([0x50], out _));
    }

    [Fact]
    public void Random_datagrams_never_throw_and_never_unwrap()
    {
        using var serverKey = ServerKey();
        var random = new Random(7);
        var kc = new byte[TlsCryptV2ServerKey.ClientKeySize];
        var metadata = new byte[TlsCryptV2ServerKey.MaxMetadataSize];
        for (int i = 0; i < 5000; i++)
        {
            var datagram = new byte[random.Next(0, 1600)];
            random.NextBytes(datagram);
            if (datagram.Length > TlsCryptV2ServerKey.MinWrappedKeySize && i % 2 == 0)
                BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(datagram.Length - 2), (ushort)random.Next(TlsCryptV2ServerKey.MinWrappedKeySize - 2, datagram.Length + 2));
            if (!TlsCryptV2Packet.TrySplit(datagram, out int packetLength)) continue;
            Assert.InRange(packetLength, TlsCryptWrapper.HeaderSize + TlsCryptWrapper.TagSize, datagram.Length - TlsCryptV2ServerKey.MinWrappedKeySize);
            Assert.False(serverKey.TryUnwrapClientKey(datagram.AsSpan(packetLength), kc, metadata, out _));
        }
        for (int i = 0; i < 500; i++)
        {
            var payload = new byte[random.Next(0, 40)];
            random.NextBytes(payload);
            TlsCryptV2Packet.TryReadEarlyNegotiation(payload, out _);
        }
    }

    [Fact]
    public void Parse_says_what_is_wrong()
    {
        Assert.Contains("BEGIN OpenVPN tls-crypt-v2 server key", Assert.Throws<FormatException>(() => TlsCryptV2ServerKey.Parse(VectorFields.KeyFileText("tc.key"))).Message);
        var client = VectorFields.KeyFileText("tls-crypt-v2-client.key").Replace("client key", "server key");
        Assert.Contains("128 bytes", Assert.Throws<FormatException>(() => TlsCryptV2ServerKey.Parse(client)).Message);
        Assert.Throws<FormatException>(() => TlsCryptV2ClientKey.Parse(VectorFields.KeyFileText("tls-crypt-v2-server.key")));
    }
}
