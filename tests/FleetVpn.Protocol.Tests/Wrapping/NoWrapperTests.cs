using FleetVpn.Protocol.Tests.Fixtures;
using FleetVpn.Protocol.Wire;
using FleetVpn.Protocol.Wrapping;

namespace FleetVpn.Protocol.Tests;

public class NoWrapperTests
{
    [Fact]
    public void PassesEveryCapturedControlPacketOfNoWrapCbcThrough()
    {
        var session = new CapturedSession("no-wrap-cbc");
        IControlWrapper wrapper = NoWrapper.Instance;
        Assert.Equal(0, wrapper.Overhead);
        Assert.False(wrapper.HasReplayId);
        foreach (var p in session.ControlPackets)
        {
            var unwrapped = new byte[p.Raw.Length];
            Assert.True(wrapper.TryUnwrap(p.Raw, unwrapped, out int length, out uint id, out uint time));
            Assert.Equal(p.Raw, unwrapped[..length]);
            Assert.Equal((0u, 0u), (id, time));
            Assert.True(ControlPacket.TryParse(unwrapped, out _));
            var wire = new byte[length];
            Assert.Equal(length, wrapper.Wrap(unwrapped, 1, 2, wire));
            Assert.Equal(p.Raw, wire);
            Assert.False(wrapper.TryUnwrap(p.Raw, new byte[p.Raw.Length - 1], out _, out _, out _));
        }
        Assert.Throws<ArgumentException>(() => wrapper.Wrap(new byte[14], 1, 1, new byte[13]));
    }
}
