using System.Net;
using FleetVpn.Platform.Sockets;
using FleetVpn.Server.Sessions;

namespace FleetVpn.Server.Tests.Sessions;

public sealed class RemoteAddressIndexTests
{
    private sealed class Peer(PeerAddress address) : IRemotePeer
    {
        public PeerAddress RemoteAddress { get; set; } = address;
    }

    private static PeerAddress Address(int n, int port = 1194) =>
        PeerAddress.From(new IPEndPoint(new IPAddress([10, (byte)(n >> 16), (byte)(n >> 8), (byte)n]), port).Serialize());

    [Fact]
    public void Entries_are_found_by_their_address_until_removed()
    {
        var index = new RemoteAddressIndex<Peer>();
        var peers = Enumerable.Range(0, 10_000).Select(n => new Peer(Address(n))).ToList();
        foreach (var p in peers) index.Set(p);
        Assert.Equal(10_000, index.Count);
        Assert.All(peers, p => Assert.Same(p, index.Get(p.RemoteAddress)));
        Assert.Null(index.Get(Address(20_000)));
        Assert.Null(index.Get(Address(5, port: 1195)));

        foreach (var p in peers.Where((_, i) => i % 2 == 0)) Assert.True(index.Remove(p, p.RemoteAddress));
        Assert.Equal(5_000, index.Count);
        for (int i = 0; i < peers.Count; i++)
        {
            if (i % 2 == 0) Assert.Null(index.Get(peers[i].RemoteAddress));
            else Assert.Same(peers[i], index.Get(peers[i].RemoteAddress));
        }
        Assert.Equal(peers.Where((_, i) => i % 2 == 1).ToHashSet(), index.All().ToHashSet());
    }

    [Fact]
    public void A_new_entry_at_an_address_replaces_the_old_one_and_removing_the_old_one_then_removes_nothing()
    {
        var index = new RemoteAddressIndex<Peer>();
        var old = new Peer(Address(1));
        var fresh = new Peer(Address(1));
        index.Set(old);
        index.Set(fresh);
        Assert.Equal(1, index.Count);
        Assert.Same(fresh, index.Get(Address(1)));
        Assert.False(index.Remove(old, old.RemoteAddress));
        Assert.Same(fresh, index.Get(Address(1)));
    }

    [Fact]
    public void A_moved_entry_is_found_at_its_new_address_only()
    {
        var index = new RemoteAddressIndex<Peer>();
        var peer = new Peer(Address(1));
        index.Set(peer);
        Assert.True(index.Remove(peer, peer.RemoteAddress));
        peer.RemoteAddress = Address(1, port: 40000);
        index.Set(peer);
        Assert.Null(index.Get(Address(1)));
        Assert.Same(peer, index.Get(Address(1, port: 40000)));
    }

    [Fact]
    public void The_table_stays_at_most_half_full_and_shrinks_when_a_fleet_leaves()
    {
        var index = new RemoteAddressIndex<Peer>();
        var peers = Enumerable.Range(0, 100_000).Select(n => new Peer(Address(n))).ToList();
        foreach (var p in peers)
        {
            index.Set(p);
            Assert.True(index.Count * 2 <= index.Capacity);
        }
        Assert.InRange(index.Capacity, 200_000, 400_000); // 16-32 bytes of table a client
        // Churn: leave and come back many times over; tombstones must not fill the table.
        for (int round = 0; round < 3; round++)
            foreach (var p in peers.Take(50_000)) { index.Remove(p, p.RemoteAddress); index.Set(p); }
        Assert.Equal(100_000, index.Count);
        Assert.All(peers, p => Assert.Same(p, index.Get(p.RemoteAddress)));
        foreach (var p in peers.Skip(10)) index.Remove(p, p.RemoteAddress);
        Assert.Equal(10, index.Count);
        Assert.True(index.Capacity <= 128, $"capacity {index.Capacity} after the fleet left");
        Assert.All(peers.Take(10), p => Assert.Same(p, index.Get(p.RemoteAddress)));
    }

    [Fact]
    public async Task Readers_on_other_threads_always_find_entries_that_stay_while_the_table_grows_and_shrinks()
    {
        var index = new RemoteAddressIndex<Peer>();
        var stable = Enumerable.Range(0, 100).Select(n => new Peer(Address(n))).ToList();
        foreach (var p in stable) index.Set(p);
        using var stop = new CancellationTokenSource();
        int misses = 0;
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
                foreach (var p in stable)
                    if (!ReferenceEquals(index.Get(p.RemoteAddress), p)) Interlocked.Increment(ref misses);
        })).ToArray();
        var churn = Enumerable.Range(1000, 20_000).Select(n => new Peer(Address(n))).ToList();
        for (int round = 0; round < 5; round++)
        {
            foreach (var p in churn) index.Set(p);
            foreach (var p in churn) index.Remove(p, p.RemoteAddress);
        }
        stop.Cancel();
        await Task.WhenAll(readers);
        Assert.Equal(0, misses);
        Assert.Equal(100, index.Count);
    }
}
