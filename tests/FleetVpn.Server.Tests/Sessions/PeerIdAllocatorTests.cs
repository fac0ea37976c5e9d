using FleetVpn.Server.Sessions;

namespace FleetVpn.Server.Tests.Sessions;

public sealed class PeerIdAllocatorTests
{
    [Fact]
    public void Every_peer_id_names_the_worker_it_was_taken_for()
    {
        var ids = new PeerIdAllocator(maxClients: 1000, workers: 4);
        for (int i = 0; i < 1000; i++)
        {
            int worker = i % 4;
            Assert.True(ids.TryTake(worker, out int peerId));
            Assert.Equal(worker, ids.WorkerOf(peerId));
            Assert.InRange(peerId, 0, ids.Capacity - 1);
        }
    }

    [Fact]
    public void Peer_ids_are_unique_while_in_use_and_reused_after_return()
    {
        var ids = new PeerIdAllocator(maxClients: 500, workers: 3);
        var taken = new HashSet<int>();
        for (int i = 0; i < 500; i++)
        {
            Assert.True(ids.TryTake(i % 3, out int peerId));
            Assert.True(taken.Add(peerId));
        }
        int returned = taken.First(p => ids.WorkerOf(p) == 1);
        ids.Return(returned);
        Assert.True(ids.TryTake(1, out int again));
        Assert.Equal(returned, again);
    }

    [Fact]
    public void Max_clients_bounds_the_total_even_when_a_worker_has_room()
    {
        var ids = new PeerIdAllocator(maxClients: 10, workers: 2);
        for (int i = 0; i < 10; i++) Assert.True(ids.TryTake(0, out _));
        Assert.False(ids.TryTake(1, out _));
        Assert.Equal(10, ids.InUse);
    }

    [Fact]
    public void One_worker_may_take_more_than_its_even_share_when_the_hash_is_uneven()
    {
        // 1,000 clients over 4 workers: 250 each, plus at least 64 of room.
        var ids = new PeerIdAllocator(maxClients: 1000, workers: 4);
        int taken = 0;
        while (ids.TryTake(2, out _)) taken++;
        Assert.Equal(250 + 64, taken);
    }

    [Fact]
    public void One_worker_uses_plain_consecutive_peer_ids()
    {
        var ids = new PeerIdAllocator(maxClients: 3, workers: 1);
        Assert.True(ids.TryTake(0, out int a));
        Assert.True(ids.TryTake(0, out int b));
        Assert.Equal((0, 1), (a, b));
    }

    [Fact]
    public void Peer_ids_stay_below_the_24_bit_none_value()
    {
        var ids = new PeerIdAllocator(maxClients: 0xFFFFFE, workers: 16);
        Assert.True(ids.Capacity <= 0xFFFFFF);
    }
}
