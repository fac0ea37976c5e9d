using FleetVpn.Server.Diagnostics;

namespace FleetVpn.Server.Tests.Diagnostics;

public sealed class MemoryReclaimerTests
{
    private const long MB = 1024 * 1024;

    [Theory]
    [InlineData(30, 45, false, false)]    // 15 MB unused: under the floor
    [InlineData(30, 62, false, true)]     // 32 MB unused, more than the 30 MB live: a churning server is compacted
    [InlineData(600, 1000, false, false)] // a million clients' heap: 400 MB unused is not worth a 1 s pause
    [InlineData(600, 1200, false, true)]  // as much unused as live
    [InlineData(2, 17, false, false)]     // an idle server: the gen0 budget alone never triggers it
    [InlineData(2, 19, false, true)]
    [InlineData(600, 600, true, true)]    // after a burst, always
    public void A_full_collection_runs_after_a_burst_or_when_unused_exceeds_live_and_the_floor(long heapMb, long committedMb, bool afterBurst, bool expected) =>
        Assert.Equal(expected, MemoryReclaimer.ShouldCollect(heapMb * MB, committedMb * MB, afterBurst));
}
