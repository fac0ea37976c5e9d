using System.Net;
using FleetVpn.Server.Routing;

namespace FleetVpn.Server.Tests.Routing;

public sealed class AddressPoolTests
{
    private static readonly uint Net = AddressPool.ToUInt32(IPAddress.Parse("10.8.0.0"));

    private static AddressPool Pool(string mask = "255.255.255.0") => new(IPAddress.Parse("10.8.0.0"), IPAddress.Parse(mask));

    private static uint A(int host) => Net + (uint)host;

    [Fact]
    public void Without_names_the_lowest_free_address_is_taken()
    {
        var pool = Pool();
        Assert.True(pool.TryAllocate(out var a));
        Assert.True(pool.TryAllocate(out var b));
        Assert.Equal(A(2), a);
        Assert.Equal(A(3), b);

        pool.Release(a);
        Assert.True(pool.TryAllocate(out var c));
        Assert.Equal(A(2), c);
    }

    [Fact]
    public void A_returning_name_gets_its_old_address_and_newcomers_do_not_take_it()
    {
        var pool = Pool();
        Assert.True(pool.TryAllocate("alice", out var alice));
        Assert.True(pool.TryAllocate("bob", out var bob));
        Assert.Equal(A(2), alice);
        Assert.Equal(A(3), bob);

        pool.Release(alice);
        Assert.True(pool.TryAllocate("carol", out var carol));
        Assert.Equal(A(4), carol); // .2 still remembers alice

        Assert.True(pool.TryAllocate("alice", out var again));
        Assert.Equal(alice, again);
    }

    [Fact]
    public void A_remembered_address_is_used_when_free_and_a_taken_one_falls_back_to_the_lowest_free()
    {
        var pool = Pool();
        Assert.True(pool.Remember("device-7", A(20)));
        Assert.True(pool.TryAllocate("device-7", out var address));
        Assert.Equal(A(20), address);

        Assert.True(pool.Remember("device-8", A(21)));
        Assert.True(pool.TryReserve(A(21))); // an ifconfig-push client holds it
        Assert.True(pool.TryAllocate("device-8", out var fallback));
        Assert.Equal(A(2), fallback);
        Assert.True(pool.TryGetRemembered("device-8", out var now));
        Assert.Equal(A(2), now);
    }

    [Fact]
    public void Remembered_addresses_are_reclaimed_longest_released_first_when_nothing_else_is_free()
    {
        var pool = Pool("255.255.255.248"); // clients .2 to .6
        Assert.Equal(5, pool.Capacity);
        var names = new[] { "a", "b", "c", "d", "e" };
        foreach (var name in names) Assert.True(pool.TryAllocate(name, out _));
        Assert.False(pool.TryAllocate("f", out _));

        pool.Release(A(4)); // c left first
        pool.Release(A(2)); // then a
        Assert.True(pool.TryAllocate("f", out var f));
        Assert.Equal(A(4), f);
        Assert.False(pool.TryGetRemembered("c", out _));

        Assert.True(pool.TryAllocate("a", out var a));
        Assert.Equal(A(2), a);
    }

    [Fact]
    public void A_fixed_address_is_never_given_to_another_name()
    {
        var pool = Pool("255.255.255.248");
        Assert.True(pool.Remember("gateway", A(2), isFixed: true));
        var taken = new List<uint>();
        while (pool.TryAllocate("other-" + taken.Count, out var address)) taken.Add(address);
        Assert.Equal(4, taken.Count);
        Assert.DoesNotContain(A(2), taken);
        Assert.False(pool.TryAllocate(out _));

        Assert.True(pool.TryAllocate("gateway", out var gateway));
        Assert.Equal(A(2), gateway);
    }

    [Fact]
    public void The_unnamed_allocation_prefers_addresses_nobody_remembers()
    {
        var pool = Pool();
        Assert.True(pool.Remember("alice", A(2)));
        Assert.True(pool.TryAllocate(out var address));
        Assert.Equal(A(3), address);
    }

    [Fact]
    public void Addresses_outside_the_client_range_are_not_remembered()
    {
        var pool = Pool();
        Assert.False(pool.Remember("x", A(0)));
        Assert.False(pool.Remember("x", A(1))); // the server's
        Assert.False(pool.Remember("x", A(255)));
        Assert.False(pool.Remember("x", AddressPool.ToUInt32(IPAddress.Parse("10.9.0.2"))));
        Assert.True(pool.Remember("x", A(254)));
        Assert.Equal([("x", A(254))], pool.RememberedAddresses());
    }

    [Fact]
    public void Remembered_addresses_list_connected_and_released_names_lowest_first()
    {
        var pool = Pool();
        Assert.True(pool.Remember("old", A(50)));
        Assert.True(pool.TryAllocate("alice", out _));
        Assert.True(pool.TryAllocate("bob", out var bob));
        pool.Release(bob);
        Assert.True(pool.TryAllocate(out _)); // unnamed: not listed

        Assert.Equal([("alice", A(2)), ("bob", A(3)), ("old", A(50))], pool.RememberedAddresses());
    }

    [Fact]
    public void A_later_remember_for_the_same_address_wins()
    {
        var pool = Pool();
        Assert.True(pool.Remember("first", A(9)));
        Assert.True(pool.Remember("second", A(9)));
        Assert.False(pool.TryGetRemembered("first", out _));
        Assert.True(pool.TryGetRemembered("second", out var address));
        Assert.Equal(A(9), address);
    }

    [Fact]
    public void A_twelve_bit_pool_hands_out_every_address_in_order_and_remembers_one_near_its_end()
    {
        // 10.0.0.0/12: 2^20 less the network, the server (.1) and the broadcast: 1,048,573 client addresses, slots grown as they are taken.
        var pool = new AddressPool(IPAddress.Parse("10.0.0.0"), IPAddress.Parse("255.240.0.0"));
        uint first = AddressPool.ToUInt32(IPAddress.Parse("10.0.0.2"));
        uint last = AddressPool.ToUInt32(IPAddress.Parse("10.15.255.254"));
        Assert.Equal(1_048_573, pool.Capacity);

        Assert.True(pool.Remember("far", last, isFixed: true));
        for (int i = 0; i < 5_000; i++)
        {
            Assert.True(pool.TryAllocate($"device-{i}", out var address));
            Assert.Equal(first + (uint)i, address);
        }
        Assert.False(pool.TryReserve(first + 4_999));
        Assert.True(pool.TryReserve(first + 600_000));
        Assert.True(pool.TryAllocate("far", out var far));
        Assert.Equal(last, far);
        pool.Release(first + 10);
        Assert.True(pool.TryAllocate("device-10", out var again));
        Assert.Equal(first + 10, again);
    }
}
