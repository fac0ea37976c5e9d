using FleetVpn.Protocol.DataChannel;

namespace FleetVpn.Protocol.Tests;

public class ReplayWindowTests
{
    [Fact]
    public void AcceptsInOrderIdsFromOne()
    {
        var w = new ReplayWindow();
        for (uint id = 1; id <= 1000; id++) Assert.True(w.TryAccept(id), $"id {id}");
        Assert.Equal(1000u, w.Highest);
    }

    [Fact]
    public void IdZeroIsNeverValid()
    {
        var w = new ReplayWindow();
        Assert.False(w.TryAccept(0));
        Assert.True(w.TryAccept(1));
        Assert.False(w.TryAccept(0));
        Assert.Equal(1u, w.Highest);
    }

    [Fact]
    public void AcceptsReorderingWithinTheWindowOnce()
    {
        var w = new ReplayWindow();
        Assert.True(w.TryAccept(100));
        // Every id in highest-63 .. highest-1 is accepted once, in any order.
        for (uint id = 99; id >= 37; id--) Assert.True(w.TryAccept(id), $"id {id}");
        for (uint id = 37; id <= 100; id++) Assert.False(w.TryAccept(id), $"duplicate {id}");
        Assert.Equal(100u, w.Highest);
    }

    [Fact]
    public void RejectsIdsSixtyFourOrMoreBehind()
    {
        var w = new ReplayWindow();
        Assert.True(w.TryAccept(100));
        Assert.False(w.TryAccept(36));  // 64 behind
        Assert.False(w.TryAccept(1));
        Assert.True(w.TryAccept(37));   // 63 behind: the oldest slot
    }

    [Fact]
    public void RejectsDuplicates()
    {
        var w = new ReplayWindow();
        Assert.True(w.TryAccept(1));
        Assert.True(w.TryAccept(3));
        Assert.False(w.TryAccept(3));
        Assert.False(w.TryAccept(1));
        Assert.True(w.TryAccept(2));
        Assert.False(w.TryAccept(2));
    }

    [Fact]
    public void DuplicatesAreRememberedAcrossWindowShifts()
    {
        var w = new ReplayWindow();
        Assert.True(w.TryAccept(10));
        Assert.True(w.TryAccept(5));
        Assert.True(w.TryAccept(50)); // shift by 40: 10 and 5 are still inside the window
        Assert.False(w.TryAccept(10));
        Assert.False(w.TryAccept(5));
        Assert.True(w.TryAccept(6));
        Assert.True(w.TryAccept(68)); // 5 is now 63 behind, still inside
        Assert.False(w.TryAccept(5));
        Assert.True(w.TryAccept(69)); // 5 drops out (64 behind): refused as too old, 6 still a duplicate
        Assert.False(w.TryAccept(5));
        Assert.False(w.TryAccept(6));
    }

    [Theory]
    [InlineData(64u)]
    [InlineData(65u)]
    [InlineData(1000u)]
    [InlineData(0x7FFFFFFFu)]
    public void BigJumpsForgetTheOldWindow(uint jump)
    {
        var w = new ReplayWindow();
        for (uint id = 1; id <= 10; id++) Assert.True(w.TryAccept(id));
        uint high = 10 + jump;
        Assert.True(w.TryAccept(high));
        Assert.Equal(high, w.Highest);
        Assert.False(w.TryAccept(high));
        Assert.True(w.TryAccept(high - 1)); // never seen, inside the new window
        Assert.True(w.TryAccept(high - 63));
        Assert.False(w.TryAccept(high - 64));
        Assert.False(w.TryAccept(10));
    }

    [Fact]
    public void JumpJustInsideTheWindowKeepsHistory()
    {
        var w = new ReplayWindow();
        Assert.True(w.TryAccept(1));
        Assert.True(w.TryAccept(64)); // 1 is now 63 behind
        Assert.False(w.TryAccept(1));
        Assert.True(w.TryAccept(2));
    }

    [Fact]
    public void HighestIdsNearTheTopOfTheRange()
    {
        var w = new ReplayWindow();
        Assert.True(w.TryAccept(uint.MaxValue - 1));
        Assert.True(w.TryAccept(uint.MaxValue));
        Assert.False(w.TryAccept(uint.MaxValue));
        Assert.True(w.TryAccept(uint.MaxValue - 2));
    }

    [Fact]
    public void CopiesAreIndependent()
    {
        var a = new ReplayWindow();
        Assert.True(a.TryAccept(5));
        var b = a; // value type: the connection must store it in a field, not a copy
        Assert.True(b.TryAccept(6));
        Assert.True(a.TryAccept(6));
    }
}
