using FleetVpn.Protocol.Wrapping;

namespace FleetVpn.Protocol.Tests;

public class TimedReplayWindowTests
{
    [Fact]
    public void RefusesIdZero()
    {
        var window = new TimedReplayWindow();
        Assert.False(window.TryAccept(0, 100));
        Assert.True(window.TryAccept(1, 100));
        Assert.False(window.TryAccept(0, 100));
        Assert.False(window.TryAccept(0, 101));
    }

    [Fact]
    public void SameTimeSlidesAWindowOf64()
    {
        var window = new TimedReplayWindow();
        Assert.True(window.TryAccept(1, 100));
        Assert.False(window.TryAccept(1, 100));
        Assert.True(window.TryAccept(5, 100));
        Assert.True(window.TryAccept(3, 100)); // reordered, within the window
        Assert.False(window.TryAccept(3, 100));
        Assert.True(window.TryAccept(2, 100));
        Assert.True(window.TryAccept(100, 100));
        Assert.False(window.TryAccept(36, 100)); // 64 behind the highest
        Assert.True(window.TryAccept(37, 100)); // 63 behind
        Assert.False(window.TryAccept(37, 100));
        Assert.False(window.TryAccept(100, 100));
        Assert.Equal(100u, window.HighestId);
        Assert.Equal(100u, window.Time);
    }

    [Fact]
    public void OlderTimeIsRefusedNewerTimeStartsANewSequence()
    {
        var window = new TimedReplayWindow();
        Assert.True(window.TryAccept(50, 200));
        Assert.False(window.TryAccept(51, 199));
        Assert.False(window.TryAccept(1, 199));
        Assert.True(window.TryAccept(1, 201)); // a restarted sender: new time, ids from 1
        Assert.Equal(201u, window.Time);
        Assert.Equal(1u, window.HighestId);
        Assert.False(window.TryAccept(50, 200));
        Assert.False(window.TryAccept(1, 201));
        Assert.True(window.TryAccept(2, 201));
    }

    [Fact]
    public void FirstPacketMayHaveAnyTimeAndId()
    {
        var window = new TimedReplayWindow();
        Assert.True(window.TryAccept(0x0F000001, 0));
        Assert.False(window.TryAccept(0x0F000001, 0));
        Assert.True(window.TryAccept(0x0F000002, 0));
    }

    [Fact]
    public void FarJumpForwardForgetsTheOldWindow()
    {
        var window = new TimedReplayWindow();
        Assert.True(window.TryAccept(10, 7));
        Assert.True(window.TryAccept(10_000, 7));
        Assert.False(window.TryAccept(10, 7));
        Assert.True(window.TryAccept(9_999, 7));
    }
}
