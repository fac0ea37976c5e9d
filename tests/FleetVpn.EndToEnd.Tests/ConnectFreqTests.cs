using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using FleetVpn.EndToEnd.Tests.Infrastructure;

namespace FleetVpn.EndToEnd.Tests;

/// <summary>
/// connect-freq-initial: forged initial resets from many source addresses (loopback addresses of the server's namespace,
/// 100 of them, 5 resets each) get no more stateless replies than the limit, so the server cannot be used to reflect
/// traffic at a victim; a real openvpn client that comes next, in the spent period, still connects with its retries.
/// Runs against the stock openvpn server too (FLEETVPN_E2E_SERVER=openvpn), which has the same directive.
/// </summary>
public sealed class ConnectFreqTests(E2EFixture env, ITestOutputHelper output) : IClassFixture<E2EFixture>
{
    private const int Limit = 40;
    private const int PeriodSeconds = 5;
    private const int Sources = 100;
    private const int ResetsPerSource = 5;
    /// <summary>P_CONTROL_HARD_RESET_CLIENT_V2 and P_CONTROL_HARD_RESET_SERVER_V2, key-id 0 (opcode &lt;&lt; 3).</summary>
    private const byte HardResetClient = 7 << 3, HardResetServer = 8 << 3;

    [Fact]
    public async Task A_flood_of_forged_resets_gets_at_most_connect_freq_initial_replies_and_a_real_client_still_connects()
    {
        await using var server = await env.StartServerAsync(output, new ServerConfig { Extra = [$"connect-freq-initial {Limit} {PeriodSeconds}"] });
        var target = new IPEndPoint(IPAddress.Parse(env.Namespaces.ServerAddress), ServerConfig.DefaultPort);

        var (sent, replies) = await FloodAsync(target, firstSource: 1);
        output.WriteLine($"{sent} forged resets from {Sources} source addresses, {replies} replies");

        Assert.Equal(Sources * ResetsPerSource, sent);
        Assert.InRange(replies, 1, Limit);
        Assert.False(server.HasExited, $"the server died under the flood.\n{server.Process.Describe()}");

        await using var client = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1 });
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, client, server);
        Assert.True(server.Log.Contains($"connect-freq-initial {Limit} {PeriodSeconds}"),
            $"the server did not note that connect-freq-initial was exceeded.\n{server.Log.Tail()}");
    }

    /// <summary>
    /// connect-freq 1 5: three real clients start at once; the server admits one new client per 5 s period (three
    /// starting together cannot all fall in different periods), the others are not answered and get in with their
    /// retries in the following periods.
    /// </summary>
    [Fact]
    public async Task Connect_freq_admits_one_new_client_per_period_and_the_others_get_in_with_their_retries()
    {
        await using var server = await env.StartServerAsync(output,
            new ServerConfig { Extra = ["connect-freq 1 5", "duplicate-cn"] }, ServerKind.FleetVpn);
        await using var first = env.StartClient(output, new ClientConfig { Identity = env.Pki.Client1, Device = "fvc0" });
        await using var second = env.StartClient(output, new ClientConfig { Identity = env.Pki.Client2, Device = "fvc1" });
        await using var third = env.StartClient(output, new ClientConfig { Identity = env.Pki.Client1, Device = "fvc2" });

        // Two periods of 5 s, and the clients' retransmissions (2 s, then backing off) on top.
        var limit = TimeSpan.FromSeconds(60);
        await Task.WhenAll(first.WaitConnectedAsync(limit), second.WaitConnectedAsync(limit), third.WaitConnectedAsync(limit));

        Assert.True(server.Log.Contains("connect-freq 1 5 exceeded"),
            $"three clients at once, yet connect-freq never refused one.\n{server.Log.Tail()}");
    }

    /// <summary>
    /// A SIGHUP that changes connect-freq-initial takes effect at once: the spent budget of the old limit no longer
    /// holds new clients back (the limits are rebuilt from the reloaded configuration).
    /// </summary>
    [Fact]
    public async Task A_sighup_that_raises_connect_freq_initial_answers_the_next_flood_under_the_new_limit()
    {
        if (env.ServerKind != ServerKind.FleetVpn) return; // the stock server restarts on SIGHUP
        const int Low = 10;
        await using var server = await env.StartServerAsync(output, new ServerConfig { Extra = [$"connect-freq-initial {Low} 60"] });
        var target = new IPEndPoint(IPAddress.Parse(env.Namespaces.ServerAddress), ServerConfig.DefaultPort);
        var (_, before) = await FloodAsync(target, firstSource: 1);
        Assert.InRange(before, 1, Low);

        var config = SignalTests.ConfigPath(server);
        var text = await File.ReadAllTextAsync(config);
        await File.WriteAllTextAsync(config, text.Replace($"connect-freq-initial {Low} 60", "connect-freq-initial 10000 60"));
        var mark = server.Log.Count;
        Assert.Equal(0, LibC.kill(server.Process.Pid, SignalTests.SIGHUP));
        var reloaded = await server.Process.WaitForLineAsync(l => l.Contains("configuration reloaded without a restart", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), mark);
        Assert.True(reloaded is not null, $"no reload.\n{server.Process.Describe(100)}");

        // Other sources, within the same 60 s: the old limit would answer none of them.
        var (sent, after) = await FloodAsync(target, firstSource: Sources + 1);
        output.WriteLine($"before the reload {before} replies, after it {after} of {sent}");
        Assert.True(after > Low * 5, $"after raising connect-freq-initial to 10000, only {after} of {sent} resets were answered");
    }

    /// <summary>
    /// <see cref="ResetsPerSource"/> forged resets from each of <see cref="Sources"/> loopback addresses 127.0.N.firstSource..;
    /// returns what was sent and how many server resets came back.
    /// </summary>
    private async Task<(int Sent, int Replies)> FloodAsync(IPEndPoint target, int firstSource)
    {
        var sockets = new List<Socket>();
        int sent = 0;
        try
        {
            for (int i = 0; i < Sources; i++)
            {
                int n = firstSource + i;
                var socket = NamespaceSockets.Udp(env.Namespaces.Server);
                sockets.Add(socket);
                socket.Bind(new IPEndPoint(new IPAddress([127, 0, (byte)(1 + n / 250), (byte)(1 + n % 250)]), 0));
            }
            foreach (var socket in sockets)
            {
                for (int n = 0; n < ResetsPerSource; n++)
                {
                    socket.SendTo(ForgedReset(), target);
                    sent++;
                }
            }
            return (sent, await CountServerResetsAsync(sockets, quietFor: TimeSpan.FromSeconds(1), limit: TimeSpan.FromSeconds(10)));
        }
        finally
        {
            foreach (var socket in sockets) socket.Dispose();
        }
    }

    /// <summary>An unwrapped P_CONTROL_HARD_RESET_CLIENT_V2: opcode, a random session id, no ACKs, message-id 0.</summary>
    private static byte[] ForgedReset()
    {
        var packet = new byte[1 + 8 + 1 + 4];
        packet[0] = HardResetClient;
        RandomNumberGenerator.Fill(packet.AsSpan(1, 8));
        packet[1] |= 1; // a session id is never 0
        return packet;
    }

    /// <summary>Counts the server's resets received on <paramref name="sockets"/> until none came for <paramref name="quietFor"/>.</summary>
    private static async Task<int> CountServerResetsAsync(List<Socket> sockets, TimeSpan quietFor, TimeSpan limit)
    {
        var buffer = new byte[2048];
        int count = 0;
        var clock = Stopwatch.StartNew();
        var lastSeen = clock.Elapsed;
        while (clock.Elapsed - lastSeen < quietFor && clock.Elapsed < limit)
        {
            bool any = false;
            foreach (var socket in sockets)
            {
                while (socket.Available > 0)
                {
                    int n = socket.Receive(buffer);
                    if (n > 0 && (buffer[0] & 0xF8) == HardResetServer) count++;
                    any = true;
                }
            }
            if (any) lastSeen = clock.Elapsed;
            else await Task.Delay(20);
        }
        return count;
    }
}
