using FleetVpn.Server.Sessions;

namespace FleetVpn.Server.Tests.Sessions;

/// <summary>The index with a reference-type key (the common-name index's case): ordinal string keys, equal but not the same string.</summary>
public sealed class OpenAddressingIndexTests
{
    private sealed class Holder(string name)
    {
        public string Name { get; } = name;
    }

    private sealed class ByName : OpenAddressingIndex<Holder, string>
    {
        protected override string KeyOf(Holder entry) => entry.Name;
    }

    [Fact]
    public void A_newer_holder_of_a_name_replaces_the_older_one_which_then_removes_nothing()
    {
        var index = new ByName();
        var older = new Holder(new string("device-000042".AsSpan()));
        var newer = new Holder(new string("device-000042".AsSpan()));
        Assert.Null(index.Set(older));
        Assert.Same(older, index.Set(newer));
        Assert.Equal(1, index.Count);
        Assert.Same(newer, index.Get("device-000042"));
        Assert.False(index.Remove(older, older.Name));
        Assert.Same(newer, index.Get("device-000042"));
        Assert.True(index.Remove(newer, newer.Name));
        Assert.Null(index.Get("device-000042"));
        Assert.Equal(0, index.Count);
    }

    [Fact]
    public void Names_differing_only_in_case_are_different_keys()
    {
        var index = new ByName();
        var lower = new Holder("device-a");
        var upper = new Holder("DEVICE-A");
        index.Set(lower);
        index.Set(upper);
        Assert.Equal(2, index.Count);
        Assert.Same(lower, index.Get("device-a"));
        Assert.Same(upper, index.Get("DEVICE-A"));
    }

    [Fact]
    public void A_hundred_thousand_names_are_found_and_a_drained_table_shrinks()
    {
        var index = new ByName();
        var holders = Enumerable.Range(0, 100_000).Select(n => new Holder($"device-{n:D6}")).ToList();
        foreach (var h in holders) index.Set(h);
        int full = index.Capacity;
        Assert.All(holders, h => Assert.Same(h, index.Get($"device-{h.Name[7..]}")));
        foreach (var h in holders) Assert.True(index.Remove(h, h.Name));
        Assert.Equal(0, index.Count);
        Assert.True(index.Capacity < full / 100, $"capacity {index.Capacity} after draining from {full}");
    }
}
