using System.Net;
using FleetVpn.Server.Config;
using FleetVpn.Server.Diagnostics;
using FleetVpn.Server.Engine;

namespace FleetVpn.Server.Tests.Engine;

public sealed class ConnectRateLimitsTests
{
    private static SocketAddress Source(int host, int port = 40000) =>
        new IPEndPoint(new IPAddress([127, 1, (byte)(host >> 8), (byte)host]), port).Serialize();

    private static (ConnectRateLimits Limits, ServerCounters Counters) Make(ConnectRate initial, ConnectRate? connect = null, int perSource = 10)
    {
        var options = new ServerOptions { ConnectFreqInitial = initial, ConnectFreq = connect, ConnectFreqPerSource = perSource };
        var counters = new ServerCounters();
        return (new ConnectRateLimits(options, counters, log: null), counters);
    }

    [Theory]
    [InlineData(1, 4096)]
    [InlineData(1024, 4096)]
    [InlineData(100_000, 8192)]
    [InlineData(1_000_000, 65536)]
    [InlineData(int.MaxValue, 65536)]
    public void The_per_source_tables_grow_with_max_clients_within_bounds(int maxClients, int slots) =>
        Assert.Equal(slots, ConnectRateLimits.SourceSlotsFor(maxClients));

    [Fact]
    public void Replies_to_initial_resets_stop_at_connect_freq_initial_and_resume_in_the_next_period()
    {
        var (limits, counters) = Make(new ConnectRate(100, 10));
        int answered = 0;
        for (int i = 0; i < 1000; i++)
            if (limits.AdmitsInitialReply(Source(i), 1_000)) answered++;

        Assert.Equal(100, answered);
        Assert.Equal(900, counters.InitialRateLimited);
        Assert.True(limits.AdmitsInitialReply(Source(5000), 10_000));
    }

    [Fact]
    public void One_source_gets_only_its_share_and_leaves_the_rest_for_others()
    {
        var (limits, counters) = Make(new ConnectRate(100, 10), perSource: 10);
        int flooder = 0;
        for (int i = 0; i < 500; i++)
            if (limits.AdmitsInitialReply(Source(1, 1000 + i), 0)) flooder++;

        Assert.Equal(10, flooder);
        Assert.Equal(490, counters.SourceRateLimited);
        Assert.Equal(0, counters.InitialRateLimited);
        Assert.True(limits.AdmitsInitialReply(Source(2), 0));
    }

    [Fact]
    public void A_client_that_proves_its_address_gives_its_reply_back()
    {
        var (limits, _) = Make(new ConnectRate(2, 10), perSource: 0);
        Assert.True(limits.AdmitsInitialReply(Source(1), 0));
        Assert.True(limits.AdmitsInitialReply(Source(2), 0));
        Assert.False(limits.AdmitsInitialReply(Source(3), 0));

        Assert.True(limits.AdmitsNewClient(Source(1), 0));
        Assert.True(limits.AdmitsInitialReply(Source(3), 0));
        Assert.False(limits.AdmitsInitialReply(Source(4), 0));
    }

    [Fact]
    public void Connect_freq_limits_new_clients_and_a_refused_one_gives_nothing_back()
    {
        var (limits, counters) = Make(new ConnectRate(1000, 10), new ConnectRate(3, 10), perSource: 0);
        int admitted = 0;
        for (int i = 0; i < 10; i++)
            if (limits.AdmitsNewClient(Source(i), 0)) admitted++;

        Assert.Equal(3, admitted);
        Assert.Equal(7, counters.ConnectRateLimited);
        Assert.True(limits.AdmitsNewClient(Source(99), 10_000));
    }

    [Fact]
    public void Connect_freq_per_source_keeps_one_reconnecting_device_from_taking_every_place()
    {
        var (limits, counters) = Make(new ConnectRate(1000, 10), new ConnectRate(20, 10), perSource: 5);
        int looping = 0;
        for (int i = 0; i < 50; i++)
            if (limits.AdmitsNewClient(Source(7, 2000 + i), 0)) looping++;

        Assert.Equal(5, looping);
        Assert.Equal(45, counters.SourceRateLimited);
        for (int i = 0; i < 15; i++) Assert.True(limits.AdmitsNewClient(Source(100 + i), 0));
    }

    /// <summary>
    /// Found by bench/flood.sh: the reset path allocated for every forged reset, and the server's RSS grew by 80 MB
    /// under a flood. The limits are now checked first, and checking them allocates nothing.
    /// </summary>
    [Fact]
    public void Refusing_a_flood_allocates_nothing()
    {
        var (limits, _) = Make(new ConnectRate(1, 10), new ConnectRate(1, 10), perSource: 1);
        var sources = Enumerable.Range(0, 64).Select(i => Source(i)).ToArray();
        limits.AdmitsInitialReply(sources[0], 0);
        limits.AdmitsNewClient(sources[0], 0);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            limits.AdmitsInitialReply(sources[i % 64], 1_000);
            limits.AdmitsNewClient(sources[i % 64], 1_000);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Without_connect_freq_every_client_that_echoed_its_cookie_is_admitted()
    {
        var (limits, counters) = Make(new ConnectRate(1, 10), perSource: 1);
        for (int i = 0; i < 100; i++) Assert.True(limits.AdmitsNewClient(Source(1, 3000 + i), 0));
        Assert.Equal(0, counters.ConnectRateLimited + counters.SourceRateLimited);
    }
}
