using FleetVpn.Protocol.Wire;
using FleetVpn.Server.Sessions;

namespace FleetVpn.Server.Tests.Sessions;

public sealed class SessionLocksTests
{
    [Fact]
    public void A_session_id_always_gets_the_same_lock_and_random_ids_spread_over_all_of_them()
    {
        var locks = new SessionLocks(64);
        var ids = Enumerable.Range(0, 6_400).Select(_ => SessionId.NewRandom()).ToList();
        Assert.All(ids, id => Assert.True(locks.For(id) == locks.For(new SessionId(id.Value))));
        var perLock = ids.GroupBy(locks.For).Select(g => g.Count()).ToList();
        Assert.Equal(64, perLock.Count);
        Assert.True(perLock.Max() < 200, $"most ids on one lock: {perLock.Max()} (100 expected)");
    }

    [Fact]
    public void A_lock_is_reentrant_as_the_session_monitor_was()
    {
        var gate = new SessionLocks(16).For(new SessionId(42));
        lock (gate)
        {
            lock (gate) Assert.True(gate.IsHeldByCurrentThread);
        }
        Assert.False(gate.IsHeldByCurrentThread);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    public void The_count_must_be_a_power_of_two(int count) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new SessionLocks(count));
}
