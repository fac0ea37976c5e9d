using System.Buffers.Binary;
using FleetVpn.Protocol.DataChannel;
using FleetVpn.Protocol.Keys;
using FleetVpn.Protocol.Messages;
using FleetVpn.Protocol.Wire;

namespace FleetVpn.Protocol.Tests;

/// <summary>
/// Packets and messages with a field at its limit, and one past it: the last packet-id, the longest key-method-2
/// string and control message, the largest UDP datagram through the data channel. (Ack counts, key-ids, message-ids
/// and peer-ids at their limits: ControlPacketTests, WireHeaderTests, ReplayWindowTests.)
/// </summary>
public class FieldLimitTests
{
    private static KeyMaterial Keys() => new(Enumerable.Range(0, KeyMaterial.Size).Select(i => (byte)(i * 13 + 5)).ToArray());

    [Fact]
    public void The_last_packet_id_seals_opens_and_is_accepted_once()
    {
        using var sender = new AeadPacketCipher(DataCipher.Aes256Gcm, Keys(), KeyMaterial.ClientToServer);
        using var receiver = new AeadPacketCipher(DataCipher.Aes256Gcm, Keys(), KeyMaterial.ClientToServer);
        var packet = new byte[DataPacketHeader.V2Size + AeadPacketCipher.Overhead + 20];
        DataPacketHeader.WriteV2(packet, 7, 0xFFFFFF);
        int length = sender.Seal(packet, DataPacketHeader.V2Size, uint.MaxValue, new byte[20]);

        Assert.True(receiver.TryOpen(packet.AsSpan(0, length), DataPacketHeader.V2Size, new byte[64], out int plain, out uint id));
        Assert.Equal(20, plain);
        Assert.Equal(uint.MaxValue, id);
        var window = new ReplayWindow();
        Assert.True(window.TryAccept(id));
        Assert.False(window.TryAccept(id));
    }

    [Fact]
    public void The_largest_udp_datagram_opens_into_the_dispatchers_buffer()
    {
        const int MaxUdpPayload = 65507;
        using var sender = new AeadPacketCipher(DataCipher.Aes256Gcm, Keys(), KeyMaterial.ClientToServer);
        using var receiver = new AeadPacketCipher(DataCipher.Aes256Gcm, Keys(), KeyMaterial.ClientToServer);
        int plaintextLength = MaxUdpPayload - DataPacketHeader.V2Size - AeadPacketCipher.Overhead;
        var packet = new byte[MaxUdpPayload];
        DataPacketHeader.WriteV2(packet, 0, 1);
        Assert.Equal(MaxUdpPayload, sender.Seal(packet, DataPacketHeader.V2Size, 1, new byte[plaintextLength]));

        // PacketDispatcher opens into a 64 KiB buffer, one byte in.
        var buffer = new byte[65536];
        Assert.True(receiver.TryOpen(packet, DataPacketHeader.V2Size, buffer.AsSpan(1), out int plain, out _));
        Assert.Equal(plaintextLength, plain);
    }

    [Theory]
    [InlineData(4096, KeyMethod2Message.ParseStatus.Complete)]
    [InlineData(4097, KeyMethod2Message.ParseStatus.Invalid)]
    public void Key_method_2_strings_may_hold_4096_bytes_and_not_one_more(int textLength, KeyMethod2Message.ParseStatus expected)
    {
        var text = new string('x', textLength);
        var message = new KeyMethod2Message
        {
            Keys = new KeySource(new byte[KeySource.PreMasterSize], new byte[KeySource.RandomSize], new byte[KeySource.RandomSize]),
            Options = "V4,dev-type tun",
            PeerInfo = text,
        };
        var bytes = message.ToBytes();

        var status = KeyMethod2Message.TryParse(bytes, fromClient: true, out var parsed, out int consumed);

        Assert.Equal(expected, status);
        if (expected == KeyMethod2Message.ParseStatus.Complete)
        {
            Assert.Equal(bytes.Length, consumed);
            Assert.Equal(text, parsed!.PeerInfo);
        }
    }

    [Fact]
    public void A_string_length_of_65535_is_refused_before_the_bytes_arrive()
    {
        var bytes = new KeyMethod2Message
        {
            Keys = new KeySource(null, new byte[KeySource.RandomSize], new byte[KeySource.RandomSize]),
        }.ToBytes();
        int optionsAt = 5 + 2 * KeySource.RandomSize;
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(optionsAt), ushort.MaxValue);

        Assert.Equal(KeyMethod2Message.ParseStatus.Invalid, KeyMethod2Message.TryParse(bytes, fromClient: false, out _, out _));
    }

    [Fact]
    public void A_control_message_of_the_maximum_length_is_read_and_one_byte_more_is_refused()
    {
        var commands = new List<string>();
        var longest = new byte[ControlMessageReader.MaxMessageLength + 1];
        longest.AsSpan(0, ControlMessageReader.MaxMessageLength).Fill((byte)'a');
        Assert.True(new ControlMessageReader().Append(longest, commands));
        Assert.Equal(ControlMessageReader.MaxMessageLength, Assert.Single(commands).Length);

        var tooLong = new byte[ControlMessageReader.MaxMessageLength + 2];
        tooLong.AsSpan(0, ControlMessageReader.MaxMessageLength + 1).Fill((byte)'a');
        Assert.False(new ControlMessageReader().Append(tooLong, new List<string>()));
    }

    [Fact]
    public void A_control_packet_with_eight_acks_and_the_largest_payload_round_trips()
    {
        uint[] acks = [uint.MaxValue, 0, 1, 2, 3, 4, 5, uint.MaxValue - 1];
        var payload = new byte[65507 - ControlPacket.GetSize(8, true, 0)];
        var packet = new byte[ControlPacket.GetSize(8, true, payload.Length)];
        Assert.Equal(65507, packet.Length);
        ControlPacket.Write(packet, Opcode.ControlV1, 7, new SessionId(ulong.MaxValue), acks, new SessionId(ulong.MaxValue), uint.MaxValue, payload);

        Assert.True(ControlPacket.TryParse(packet, out var parsed));
        Assert.Equal(7, parsed.KeyId);
        Assert.Equal(8, parsed.AckCount);
        Assert.Equal(uint.MaxValue - 1, parsed.GetAck(7));
        Assert.Equal(ulong.MaxValue, parsed.RemoteSessionId.Value);
        Assert.Equal(uint.MaxValue, parsed.MessageId);
        Assert.Equal(payload.Length, parsed.Payload.Length);
    }
}
