using System.Net;
using FleetVpn.Server.Engine;

namespace FleetVpn.Server.Tests.Engine;

public sealed class FixedWindowCountersTests
{
    [Fact]
    public void Allows_max_events_per_window_then_refuses_until_the_next_window()
    {
        var counters = new FixedWindowCounters(1, 3, 10);

        Assert.True(counters.TryTake(0, 1_000));
        Assert.True(counters.TryTake(0, 2_000));
        Assert.True(counters.TryTake(0, 9_999));
        Assert.False(counters.TryTake(0, 9_999));
        Assert.True(counters.TryTake(0, 10_000));
    }

    [Fact]
    public void A_refused_event_is_not_counted_and_a_given_back_one_frees_a_place()
    {
        var counters = new FixedWindowCounters(1, 1, 10);

        Assert.True(counters.TryTake(0, 0));
        Assert.False(counters.TryTake(0, 0));
        counters.GiveBack(0, 0);
        Assert.True(counters.TryTake(0, 0));
        Assert.False(counters.TryTake(0, 0));
    }

    [Fact]
    public void Giving_back_never_goes_below_zero_nor_reaches_into_a_new_window()
    {
        var counters = new FixedWindowCounters(1, 1, 10);

        counters.GiveBack(0, 0);
        counters.GiveBack(0, 0);
        Assert.True(counters.TryTake(0, 0));
        Assert.False(counters.TryTake(0, 0));
        counters.GiveBack(0, 10_000);
        Assert.True(counters.TryTake(0, 10_000));
        Assert.False(counters.TryTake(0, 10_000));
    }

    [Fact]
    public void A_zero_budget_refuses_everything()
    {
        Assert.False(new FixedWindowCounters(1, 0, 10).TryTake(0, 0));
    }

    [Fact]
    public void Slots_are_independent()
    {
        var counters = new FixedWindowCounters(4, 1, 10);

        Assert.True(counters.TryTake(1, 0));
        Assert.False(counters.TryTake(1, 0));
        Assert.True(counters.TryTake(2, 0));
    }

    [Fact]
    public void A_source_keeps_its_slot_whatever_its_port_and_the_slot_is_in_range()
    {
        var counters = new FixedWindowCounters(4096, 1, 10);
        int slot = counters.SlotOf(new IPEndPoint(IPAddress.Parse("127.0.0.5"), 1000).Serialize());

        Assert.Equal(slot, counters.SlotOf(new IPEndPoint(IPAddress.Parse("127.0.0.5"), 2000).Serialize()));
        Assert.InRange(slot, 0, 4095);
        Assert.InRange(counters.SlotOf(new IPEndPoint(IPAddress.Parse("fd00::5"), 2000).Serialize()), 0, 4095);
    }

    [Fact]
    public void Many_sources_spread_over_the_slots()
    {
        var counters = new FixedWindowCounters(4096, 1, 10);
        var slots = new HashSet<int>();
        for (int i = 1; i <= 4096; i++)
            slots.Add(counters.SlotOf(new IPEndPoint(new IPAddress([10, 0, (byte)(i >> 8), (byte)i]), 1194).Serialize()));

        // A fair hash puts 4,096 sources on about 63 % of 4,096 slots; a broken one on a handful.
        Assert.True(slots.Count > 2000, $"{slots.Count} slots used");
    }

    [Fact]
    public void Concurrent_takers_never_exceed_the_budget()
    {
        var counters = new FixedWindowCounters(1, 1000, 3600);
        int taken = 0;
        Parallel.For(0, 8, _ =>
        {
            for (int i = 0; i < 1000; i++)
                if (counters.TryTake(0, 5_000)) Interlocked.Increment(ref taken);
        });

        Assert.Equal(1000, taken);
    }
}
