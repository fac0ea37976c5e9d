using FleetVpn.Protocol.Messages;

namespace FleetVpn.Protocol.Tests;

public class OccMessageTests
{
    private static readonly byte[] Magic = Convert.FromHexString("287f346bd4ef7a812d56b8d3afc5459c");

    [Fact]
    public void MagicIsTheOpenVpnOccMagic()
    {
        Assert.Equal(Magic, OccMessage.Magic.ToArray());
        Assert.Equal(6, OccMessage.Exit);
    }

    [Fact]
    public void DetectsOccExit()
    {
        byte[] exit = [.. Magic, OccMessage.Exit];
        Assert.True(OccMessage.IsOcc(exit));
        Assert.True(OccMessage.IsExit(exit));
    }

    [Theory]
    [InlineData(0)] // OCC_REQUEST
    [InlineData(1)] // OCC_REPLY
    [InlineData(5)] // OCC_MTU_REPLY
    public void OtherOccOpcodesAreOccButNotExit(byte opcode)
    {
        byte[] message = [.. Magic, opcode, 0, 0];
        Assert.True(OccMessage.IsOcc(message));
        Assert.False(OccMessage.IsExit(message));
    }

    [Fact]
    public void MagicAloneOrDamagedIsNotOcc()
    {
        Assert.False(OccMessage.IsOcc(Magic)); // needs an opcode byte
        Assert.False(OccMessage.IsExit(Magic));
        Assert.False(OccMessage.IsOcc([]));
        byte[] damaged = [.. Magic, OccMessage.Exit];
        damaged[15] ^= 0x80;
        Assert.False(OccMessage.IsOcc(damaged));
        Assert.False(OccMessage.IsExit(damaged));
    }

    [Fact]
    public void PingIsNotOcc()
    {
        Assert.False(OccMessage.IsOcc([.. PingMessage.Bytes, 6]));
    }
}
