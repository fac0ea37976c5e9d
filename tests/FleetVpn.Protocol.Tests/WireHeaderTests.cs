using FleetVpn.Protocol.Wire;

namespace FleetVpn.Protocol.Tests;

/// <summary>Byte 0, session ids and the data packet header (§1.2, §1.4, §1.8).</summary>
public class WireHeaderTests
{
    [Theory]
    [InlineData(Opcode.ControlHardResetClientV1, 0x08)]
    [InlineData(Opcode.ControlHardResetServerV1, 0x10)]
    [InlineData(Opcode.ControlSoftResetV1, 0x18)]
    [InlineData(Opcode.ControlV1, 0x20)]
    [InlineData(Opcode.AckV1, 0x28)]
    [InlineData(Opcode.DataV1, 0x30)]
    [InlineData(Opcode.ControlHardResetClientV2, 0x38)]
    [InlineData(Opcode.ControlHardResetServerV2, 0x40)]
    [InlineData(Opcode.DataV2, 0x48)]
    [InlineData(Opcode.ControlHardResetClientV3, 0x50)]
    [InlineData(Opcode.ControlWkcV1, 0x58)]
    public void Byte0MatchesTheOpcodeTable(Opcode opcode, byte byte0)
    {
        Assert.Equal(byte0, PacketByte0.Make(opcode, 0));
        Assert.Equal((byte)(byte0 | 7), PacketByte0.Make(opcode, 7));
        Assert.Equal(opcode, PacketByte0.GetOpcode((byte)(byte0 | 5)));
        Assert.Equal(5, PacketByte0.GetKeyId((byte)(byte0 | 5)));
        Assert.Equal(opcode is Opcode.DataV1 or Opcode.DataV2, PacketByte0.IsData(opcode));
        Assert.Equal(opcode is not (Opcode.DataV1 or Opcode.DataV2 or Opcode.ControlHardResetClientV1 or Opcode.ControlHardResetServerV1),
            PacketByte0.IsControl(opcode));
    }

    [Fact]
    public void KeyIdIsMaskedToThreeBits()
    {
        Assert.Equal(0x20, PacketByte0.Make(Opcode.ControlV1, 8));
        Assert.Equal(0x19, PacketByte0.Make(Opcode.ControlSoftResetV1, 9));
    }

    [Fact]
    public void SessionIdReadWriteAndText()
    {
        var bytes = Convert.FromHexString("dc65f8e515abb08e");
        var sid = SessionId.Read(bytes);
        Assert.Equal(0xdc65f8e515abb08eUL, sid.Value);
        Assert.Equal("dc65f8e515abb08e", sid.ToString());
        var written = new byte[8];
        sid.Write(written);
        Assert.Equal(bytes, written);
        Assert.True(sid.IsValid);
        Assert.False(default(SessionId).IsValid);
        Assert.Equal("0000000000000001", new SessionId(1).ToString());
    }

    [Fact]
    public void NewRandomSessionIdsAreValidAndDistinct()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => SessionId.NewRandom()).ToList();
        Assert.All(ids, id => Assert.True(id.IsValid));
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public void DataV2HeaderLayout()
    {
        var header = new byte[4];
        DataPacketHeader.WriteV2(header, 0, 0);
        Assert.Equal(Convert.FromHexString("48000000"), header);
        DataPacketHeader.WriteV2(header, 1, 0x123456);
        Assert.Equal(Convert.FromHexString("49123456"), header);
        Assert.Equal(0x123456, DataPacketHeader.ReadPeerId(header));
        DataPacketHeader.WriteV2(header, 0, DataPacketHeader.NoPeerId);
        Assert.Equal(Convert.FromHexString("48ffffff"), header);
        Assert.Equal(0xFFFFFF, DataPacketHeader.ReadPeerId(header));
        Assert.Equal(1, DataPacketHeader.V1Size);
        Assert.Equal(4, DataPacketHeader.V2Size);
    }
}
