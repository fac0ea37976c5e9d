using System.Runtime.CompilerServices;
using FleetVpn.Protocol.Timing;

namespace FleetVpn.Protocol.Tests.Timing;

public sealed class TimingWheelTests
{
    private sealed class Item(int id)
    {
        public int Id { get; } = id;
        public override string ToString() => $"#{Id}";
    }

    private static List<Item> Advance(TimingWheel<Item> wheel, long nowMs)
    {
        var due = new List<Item>();
        wheel.Advance(nowMs, due);
        return due;
    }

    private static int[] Ids(IEnumerable<Item> items) => items.Select(i => i.Id).Order().ToArray();

    [Fact]
    public void EachItemFiresAtTheFirstAdvanceAtOrAfterItsDueTimeAndNotBefore()
    {
        var wheel = new TimingWheel<Item>(0, tickMs: 10, slotCount: 16);
        long[] dueTimes = [1, 9, 10, 11, 19, 20, 55, 100, 159, 160, 161, 333];
        for (int i = 0; i < dueTimes.Length; i++) wheel.Schedule(new Item(i), dueTimes[i]);

        var firedAt = new Dictionary<int, long>();
        for (long now = 0; now <= 400; now++)
            foreach (var item in Advance(wheel, now))
                Assert.True(firedAt.TryAdd(item.Id, now), $"{item} fired twice");

        for (int i = 0; i < dueTimes.Length; i++) Assert.Equal(dueTimes[i], firedAt[i]);
        Assert.Equal(0, wheel.Count);
    }

    [Fact]
    public void AnItemDueExactlyNowFiresMidTickAndOnABoundary()
    {
        var wheel = new TimingWheel<Item>(0, tickMs: 50);
        wheel.Schedule(new Item(1), 120); // inside tick (100, 150]
        wheel.Schedule(new Item(2), 150); // on a boundary

        Assert.Empty(Advance(wheel, 119));
        Assert.Equal([1], Ids(Advance(wheel, 120)));
        Assert.Empty(Advance(wheel, 149));
        Assert.Equal([2], Ids(Advance(wheel, 150)));
    }

    [Fact]
    public void ItemsLaterInTheCurrentTickWaitWhileEarlierOnesFire()
    {
        var wheel = new TimingWheel<Item>(0, tickMs: 50);
        for (int ms = 101; ms <= 150; ms++) wheel.Schedule(new Item(ms), ms);

        Assert.Equal([101, 102, 103], Ids(Advance(wheel, 103)));
        Assert.Empty(Advance(wheel, 103));
        Assert.Equal(Enumerable.Range(104, 37).ToArray(), Ids(Advance(wheel, 140)));
        Assert.Equal(10, wheel.Count);
        Assert.Equal(Enumerable.Range(141, 10).ToArray(), Ids(Advance(wheel, 150)));
    }

    [Fact]
    public void APastDueTimeFiresAtTheNextAdvance()
    {
        var wheel = new TimingWheel<Item>(1_000, tickMs: 50);
        wheel.Schedule(new Item(1), 400);
        wheel.Schedule(new Item(2), long.MinValue);
        Assert.Equal([1, 2], Ids(Advance(wheel, 1_000)));

        Assert.Empty(Advance(wheel, 1_230));
        wheel.Schedule(new Item(3), 1_230); // due now, the current tick's slot was already walked
        wheel.Schedule(new Item(4), 1_100); // due ticks ago
        Assert.Equal([3, 4], Ids(Advance(wheel, 1_230)));
        Assert.Equal(0, wheel.Count);
    }

    [Fact]
    public void ItemsSeveralTurnsAheadStayUntilTheirRound()
    {
        // Turn = 8 × 10 ms = 80 ms; these all hash to slot 2 (due in (10, 20] of some turn).
        var wheel = new TimingWheel<Item>(0, tickMs: 10, slotCount: 8);
        long[] dueTimes = [20, 100, 180, 15 + 80 * 7, 20 + 80 * 40];
        for (int i = 0; i < dueTimes.Length; i++) wheel.Schedule(new Item(i), dueTimes[i]);

        var firedAt = new Dictionary<int, long>();
        for (long now = 0; now <= 80 * 41; now += 5)
            foreach (var item in Advance(wheel, now))
                firedAt.Add(item.Id, now);

        for (int i = 0; i < dueTimes.Length; i++) Assert.Equal(dueTimes[i], firedAt[i]);
    }

    [Fact]
    public void AGapOfManyTurnsFiresEverythingDueAndKeepsTheRest()
    {
        var wheel = new TimingWheel<Item>(0, tickMs: 10, slotCount: 8);
        long[] dueTimes = [5, 50, 79, 80, 81, 300, 899, 900, 901, 1_000, 5_000];
        for (int i = 0; i < dueTimes.Length; i++) wheel.Schedule(new Item(i), dueTimes[i]);

        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7], Ids(Advance(wheel, 900)));
        Assert.Equal(3, wheel.Count);
        Assert.Empty(Advance(wheel, 900));
        Assert.Equal([8, 9], Ids(Advance(wheel, 4_999)));
        Assert.Equal([10], Ids(Advance(wheel, 5_000)));
        Assert.Equal(0, wheel.Count);
    }

    [Fact]
    public void AGapOfExactlyOneTurnWalksEachSlotOnce()
    {
        var wheel = new TimingWheel<Item>(0, tickMs: 10, slotCount: 8);
        for (int i = 1; i <= 100; i++) wheel.Schedule(new Item(i), i);

        var fired = Advance(wheel, 80);
        Assert.Equal(Enumerable.Range(1, 80).ToArray(), Ids(fired));
        Assert.Equal(Enumerable.Range(81, 20).ToArray(), Ids(Advance(wheel, 100)));
    }

    [Fact]
    public void ManyItemsInOneSlotAllFire()
    {
        var wheel = new TimingWheel<Item>(0, tickMs: 50, slotCount: 4);
        const int N = 10_000;
        // Same slot: due in (50, 100] of the first turn and, for odd ids, of the third turn (turn = 200 ms).
        for (int i = 0; i < N; i++) wheel.Schedule(new Item(i), i % 2 == 0 ? 51 + i % 50 : 451 + i % 50);
        Assert.Equal(N, wheel.Count);

        var first = Advance(wheel, 100);
        Assert.Equal(Enumerable.Range(0, N).Where(i => i % 2 == 0).ToArray(), Ids(first));
        Assert.Equal(N / 2, wheel.Count);
        Assert.Empty(Advance(wheel, 450));
        Assert.Equal(Enumerable.Range(0, N).Where(i => i % 2 == 1).ToArray(), Ids(Advance(wheel, 500)));
        Assert.Equal(0, wheel.Count);
    }

    [Fact]
    public void CountFollowsSchedulesAndFirings()
    {
        var wheel = new TimingWheel<Item>(0, tickMs: 10, slotCount: 8);
        Assert.Equal(0, wheel.Count);
        var a = new Item(1);
        wheel.Schedule(a, 30);
        wheel.Schedule(a, 50); // no cancel: scheduled twice, fires twice
        wheel.Schedule(new Item(2), 500);
        Assert.Equal(3, wheel.Count);
        Assert.Equal([1], Ids(Advance(wheel, 30)));
        Assert.Equal(2, wheel.Count);
        Assert.Equal([1], Ids(Advance(wheel, 60)));
        Assert.Equal(1, wheel.Count);
        Assert.Empty(Advance(wheel, 499));
        Assert.Equal(1, wheel.Count);
        Assert.Equal([2], Ids(Advance(wheel, 500)));
        Assert.Equal(0, wheel.Count);
    }

    [Fact]
    public void AdvanceAppendsToTheCallersList()
    {
        var wheel = new TimingWheel<Item>(0, tickMs: 10, slotCount: 8);
        var due = new List<Item> { new(99) };
        wheel.Schedule(new Item(1), 10);
        wheel.Advance(10, due);
        Assert.Equal([1, 99], Ids(due));
    }

    [Fact]
    public void NextTickIsTheNextSlotBoundary()
    {
        var wheel = new TimingWheel<Item>(120, tickMs: 50);
        Assert.Equal(150, wheel.NextTickMs);
        Advance(wheel, 149);
        Assert.Equal(150, wheel.NextTickMs);
        Advance(wheel, 150);
        Assert.Equal(200, wheel.NextTickMs);
        Advance(wheel, 1_234);
        Assert.Equal(1_250, wheel.NextTickMs);
    }

    [Theory]
    [InlineData(0, 8)]
    [InlineData(-1, 8)]
    [InlineData(10, 0)]
    [InlineData(10, 6)]
    [InlineData(10, -8)]
    public void RejectsABadTickOrSlotCount(int tickMs, int slotCount) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new TimingWheel<Item>(0, tickMs, slotCount));

    [Fact]
    public void ASlotShrinksOneHalfPerTurnAfterABurstAndKeepsItsEntries()
    {
        // Turn = 80 ms; slot 1 holds due times in (0, 10] of each turn.
        var wheel = new TimingWheel<Item>(0, tickMs: 10, slotCount: 8);
        for (int i = 0; i < 1_000; i++) wheel.Schedule(new Item(i), 10);
        var survivor = new Item(-1);
        wheel.Schedule(survivor, 10 + 80 * 8); // same slot, eighth turn on
        Assert.Equal(1_024, wheel.SlotCapacity(1));

        Assert.Equal(1_000, Advance(wheel, 10).Count);
        Assert.Equal(1_024, wheel.SlotCapacity(1)); // it was full this turn: kept for reuse

        var capacities = new List<int>();
        for (int turn = 1; turn <= 7; turn++)
        {
            Assert.Empty(Advance(wheel, 10 + 80 * turn));
            capacities.Add(wheel.SlotCapacity(1));
        }
        Assert.Equal([512, 256, 128, 64, 32, 16, 16], capacities);
        Assert.Equal([-1], Ids(Advance(wheel, 10 + 80 * 8)));
    }

    [Fact]
    public void ASlotThatRefillsEveryTurnReusesArraysWithoutAllocating()
    {
        var wheel = new TimingWheel<Item>(0, tickMs: 10, slotCount: 8);
        var items = Enumerable.Range(0, 300).Select(i => new Item(i)).ToArray();
        var due = new List<Item>(items.Length);
        var filled = new int[5];
        var emptied = new int[5];
        var fired = new int[5];
        long allocatedAfterFirstTurn = 0;
        for (int turn = 0; turn < 5; turn++)
        {
            if (turn == 1) allocatedAfterFirstTurn = GC.GetAllocatedBytesForCurrentThread();
            foreach (var item in items) wheel.Schedule(item, 10 + 80 * turn);
            filled[turn] = wheel.SlotCapacity(1);
            due.Clear();
            wheel.Advance(10 + 80 * turn, due);
            fired[turn] = due.Count;
            emptied[turn] = wheel.SlotCapacity(1);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedAfterFirstTurn;
        Assert.Equal([512, 512, 512, 512, 512], filled);
        Assert.Equal([300, 300, 300, 300, 300], fired);
        Assert.Equal([0, 0, 0, 0, 0], emptied); // its array went to the free list
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void EmptiedSlotsKeepNoMoreFreeArraysThanTheWheelHoldsEntries()
    {
        // A burst fills every slot, then drains: the free list keeps at most 4,096 entries' worth (the floor), not
        // every slot's array.
        var wheel = new TimingWheel<Item>(0, tickMs: 10, slotCount: 64);
        for (int i = 0; i < 64 * 1_000; i++) wheel.Schedule(new Item(i), 10 + 10 * (i % 64));
        Assert.Equal(1_024, wheel.SlotCapacity(5));
        Assert.Equal(64 * 1_000, Advance(wheel, 10 * 64).Count);
        Assert.Equal(0, wheel.Count);
        Assert.InRange(wheel.FreeCapacity, 1_024, 4_096);
        for (int s = 0; s < 64; s++) Assert.Equal(0, wheel.SlotCapacity(s));
    }

    [Fact]
    public void ASlotFullOfLaterRoundsIsNotShrunk()
    {
        var wheel = new TimingWheel<Item>(0, tickMs: 10, slotCount: 8);
        for (int i = 0; i < 1_000; i++) wheel.Schedule(new Item(i), 10 + 80 * 5);
        for (int turn = 0; turn < 5; turn++)
        {
            Assert.Empty(Advance(wheel, 10 + 80 * turn));
            Assert.Equal(1_024, wheel.SlotCapacity(1));
        }
        Assert.Equal(1_000, Advance(wheel, 10 + 80 * 5).Count);
    }

    [Fact]
    public void AFiredItemIsNotKeptAliveByTheWheel()
    {
        var wheel = new TimingWheel<Item>(0, tickMs: 10, slotCount: 8);
        var kept = new Item(0);
        wheel.Schedule(kept, 10 + 80); // same slot, next turn: the slot array stays in use
        var fired = ScheduleAndFire(wheel);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.False(fired.TryGetTarget(out _));
        Assert.Equal(1, wheel.Count);
        GC.KeepAlive(kept);
    }

    // Not inlined, so no local of the caller's frame holds the item.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference<Item> ScheduleAndFire(TimingWheel<Item> wheel)
    {
        var item = new Item(1);
        wheel.Schedule(item, 10);
        Assert.Single(Advance(wheel, 10));
        return new WeakReference<Item>(item);
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(2, 7, 2)]
    [InlineData(3, 10, 8)]
    [InlineData(4, 50, 64)]
    [InlineData(5, 50, 2048)]
    [InlineData(6, 3, 16)]
    [InlineData(7, 1, 4)]
    [InlineData(8, 25, 32)]
    public void FiresTheSameSetsAsASortedReference(int seed, int tickMs, int slotCount)
    {
        var random = new Random(seed);
        long turn = (long)tickMs * slotCount;
        long now = random.Next(-1_000, 1_000);
        var wheel = new TimingWheel<Item>(now, tickMs, slotCount);
        var reference = new List<(Item Item, long Due)>();
        var firedItems = new List<Item>();
        var due = new List<Item>();
        int nextId = 0;

        for (int op = 0; op < 4_000; op++)
        {
            int roll = random.Next(100);
            if (roll < 55)
            {
                // Mostly near-future deadlines, some exact, some past, some several turns ahead; sometimes an item
                // that already fired is scheduled again, as a session re-arms its timer.
                long dueMs = random.Next(10) switch
                {
                    0 => now,
                    1 => now - random.Next(1, (int)Math.Min(5 * turn, 100_000)),
                    2 => now + random.NextInt64(turn, 6 * turn),
                    _ => now + random.Next(1, 3 * tickMs + 5),
                };
                var item = firedItems.Count > 0 && random.Next(4) == 0
                    ? firedItems[random.Next(firedItems.Count)]
                    : new Item(nextId++);
                wheel.Schedule(item, dueMs);
                reference.Add((item, dueMs));
            }
            else
            {
                now += random.Next(20) switch
                {
                    0 => 0,
                    1 => random.NextInt64(turn, 4 * turn),  // a long gap
                    2 => -random.Next(0, 2 * tickMs),       // a clock step back: nothing may fire early or be lost
                    3 => tickMs,
                    _ => random.Next(1, 2 * tickMs + 1),
                };
                due.Clear();
                wheel.Advance(now, due);
                var expected = reference.Where(e => e.Due <= now).Select(e => e.Item).ToList();
                reference.RemoveAll(e => e.Due <= now);
                Assert.Equal(Ids(expected), Ids(due));
                firedItems.AddRange(due);
            }
            Assert.Equal(reference.Count, wheel.Count);
        }

        // Drain: everything left fires once its time comes, nothing is lost.
        long last = reference.Count == 0 ? now : Math.Max(now, reference.Max(e => e.Due));
        due.Clear();
        wheel.Advance(last, due);
        Assert.Equal(Ids(reference.Select(e => e.Item)), Ids(due));
        Assert.Equal(0, wheel.Count);
    }
}
