using System.Net;
using FleetVpn.Server.Routing;

namespace FleetVpn.Server.Tests.Routing;

/// <summary>The blocks of `fleet-node I K` and the pool of a node.</summary>
public sealed class FleetSliceTests
{
    private static readonly uint Net = AddressPool.ToUInt32(IPAddress.Parse("10.8.0.0"));

    private static uint A(string address) => AddressPool.ToUInt32(IPAddress.Parse(address));

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 2)]
    [InlineData(4, 3)]
    [InlineData(7, 3)]
    [InlineData(8, 4)]
    public void Blocks_leave_room_for_the_static_block(int nodes, int bits)
    {
        Assert.Equal(bits, FleetSlice.BlockBits(nodes));
    }

    [Fact]
    public void Three_nodes_cut_a_slash_16_into_four_slash_18s()
    {
        Assert.Equal("10.8.0.0/18", FleetSlice.Of(Net, 16, 0, 3).ToString());
        Assert.Equal("10.8.64.0/18", FleetSlice.Of(Net, 16, 1, 3).ToString());
        Assert.Equal("10.8.128.0/18", FleetSlice.Of(Net, 16, 2, 3).ToString());
        Assert.Equal("10.8.192.0/18", FleetSlice.Of(Net, 16, 3, 3).ToString());
    }

    [Fact]
    public void A_node_pool_hands_out_only_its_block_and_keeps_the_fleet_gateway_and_mask()
    {
        var pool = new AddressPool(IPAddress.Parse("10.8.0.0"), IPAddress.Parse("255.255.0.0"), FleetSlice.Of(Net, 16, 3, 3));

        Assert.Equal(A("10.8.0.1"), pool.ServerAddress);
        Assert.Equal(A("255.255.0.0"), pool.Mask);
        Assert.True(pool.TryAllocate(out uint first));
        Assert.Equal(A("10.8.192.1"), first);
        // 10.8.192.1 … 10.8.255.254: the block less its first and last address.
        Assert.Equal(16384 - 2, pool.Capacity);
        Assert.True(pool.Slice.Contains(A("10.8.255.254")));
        Assert.False(pool.Slice.Contains(A("10.8.0.50")));
        Assert.False(pool.Slice.Contains(A("10.8.64.1")));
    }

    [Fact]
    public void A_lone_server_routes_its_whole_network()
    {
        var pool = new AddressPool(IPAddress.Parse("10.8.0.0"), IPAddress.Parse("255.255.255.0"));

        Assert.Equal("10.8.0.0/24", pool.Slice.ToString());
        Assert.Equal(A("10.8.0.2"), pool.FirstClientAddress);
        Assert.Equal(253, pool.Capacity);
    }

    [Fact]
    public void Blocks_smaller_than_slash_29_are_refused()
    {
        Assert.Throws<ArgumentException>(() => FleetSlice.Of(Net, 28, 1, 3));
    }
}
