using FleetVpn.LoadBalancer;

namespace FleetVpn.LoadBalancer.Tests;

public sealed class BucketAssignmentTests
{
    private static readonly string[] Three = ["10.90.0.11", "10.90.0.12", "10.90.0.13"];

    [Fact]
    public void Three_nodes_share_the_4096_buckets_within_5_percent_of_even()
    {
        var shares = BucketAssignment.Shares(BucketAssignment.Assign(Three));

        Assert.Equal(3, shares.Count);
        foreach (var (node, count) in shares)
            Assert.True(Math.Abs(count - 4096 / 3.0) <= 4096 / 3.0 * 0.05, $"{node} holds {count} of 4096 buckets");
    }

    [Fact]
    public void When_a_node_leaves_only_its_buckets_move()
    {
        var before = BucketAssignment.Assign(Three);
        var after = BucketAssignment.Assign(["10.90.0.11", "10.90.0.13"]);

        int moved = 0;
        for (int bucket = 0; bucket < before.Length; bucket++)
        {
            if (before[bucket] == "10.90.0.12")
            {
                Assert.NotEqual("10.90.0.12", after[bucket]);
                moved++;
            }
            else
            {
                Assert.Equal(before[bucket], after[bucket]);
            }
        }
        Assert.Equal(BucketAssignment.Shares(before)["10.90.0.12"], moved);
        // Its buckets are spread over both survivors, not dumped on one.
        var heirs = Enumerable.Range(0, before.Length).Where(b => before[b] == "10.90.0.12").Select(b => after[b]).Distinct().Count();
        Assert.Equal(2, heirs);
    }

    [Fact]
    public void A_node_that_comes_back_takes_back_exactly_its_buckets()
    {
        Assert.Equal(BucketAssignment.Assign(Three), BucketAssignment.Assign(Three));
        var without = BucketAssignment.Assign(["10.90.0.11", "10.90.0.13"]);
        var back = BucketAssignment.Assign(["10.90.0.13", "10.90.0.12", "10.90.0.11"]);

        Assert.Equal(BucketAssignment.Assign(Three), back);
        Assert.NotEqual(without, back);
    }

    [Fact]
    public void A_fourth_node_takes_about_a_quarter_and_only_from_the_others()
    {
        var before = BucketAssignment.Assign(Three);
        var after = BucketAssignment.Assign([.. Three, "10.90.0.14"]);

        int taken = 0;
        for (int bucket = 0; bucket < before.Length; bucket++)
        {
            if (after[bucket] == "10.90.0.14") taken++;
            else Assert.Equal(before[bucket], after[bucket]);
        }
        Assert.InRange(taken, 4096 / 4 * 90 / 100, 4096 / 4 * 110 / 100);
    }

    [Fact]
    public void No_live_node_is_an_error()
    {
        Assert.Throws<ArgumentException>(() => BucketAssignment.Assign([]));
    }
}
