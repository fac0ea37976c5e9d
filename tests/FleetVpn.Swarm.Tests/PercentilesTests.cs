using FleetVpn.Swarm;

namespace FleetVpn.Swarm.Tests;

public class PercentilesTests
{
    [Fact]
    public void Nearest_rank_of_one_to_hundred()
    {
        var values = Enumerable.Range(1, 100).Select(i => (double)i).ToList();
        Assert.Equal(50, Percentiles.Of(values, 50));
        Assert.Equal(90, Percentiles.Of(values, 90));
        Assert.Equal(99, Percentiles.Of(values, 99));
        Assert.Equal(100, Percentiles.Of(values, 100));
        Assert.Equal(1, Percentiles.Of(values, 0));
    }

    [Fact]
    public void Nearest_rank_of_small_sets()
    {
        // Wikipedia's nearest-rank example: 15, 20, 35, 40, 50.
        double[] v = [15, 20, 35, 40, 50];
        Assert.Equal(20, Percentiles.Of(v, 30));
        Assert.Equal(20, Percentiles.Of(v, 40));
        Assert.Equal(35, Percentiles.Of(v, 50));
        Assert.Equal(50, Percentiles.Of(v, 99));
        Assert.Equal(7, Percentiles.Of([7.0], 99));
        Assert.Equal(0, Percentiles.Of([], 50));
    }

    [Fact]
    public void Samples_keep_max_and_count_beyond_capacity()
    {
        var samples = new LatencySamples();
        for (int i = 0; i < LatencySamples.Capacity + 1000; i++) samples.Add(i % 1000);
        samples.Add(5000);
        var (values, max) = samples.Snapshot(50, 99);
        Assert.Equal(LatencySamples.Capacity + 1001, samples.Count);
        Assert.Equal(5000, max);
        Assert.InRange(values[0], 400, 600);
        Assert.InRange(values[1], 970, 1000);
    }
}
