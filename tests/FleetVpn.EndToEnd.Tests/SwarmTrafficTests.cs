using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using FleetVpn.EndToEnd.Tests.Infrastructure;

namespace FleetVpn.EndToEnd.Tests;

/// <summary>
/// <c>fleetvpn swarm --traffic-target</c>: every simulated client sends UDP datagrams through its tunnel to a socket
/// bound on the server's tun address in the server namespace (the sink of bench/throughput.sh). The datagrams must
/// arrive there, whole, from every client, and no more of them than the swarm says it sent: what the benchmark
/// counts at its sink is traffic that really crossed the server.
/// </summary>
public sealed class SwarmTrafficTests(E2EFixture env, ITestOutputHelper output) : IClassFixture<E2EFixture>
{
    private const int Clients = 20;
    private const int SinkPort = 9000;
    private const int PayloadBytes = 1400;
    private const int PacketsPerSecond = 2000;
    private const string ServerTunAddress = "10.8.0.1";

    private static readonly Lazy<SwarmTestPki> Pki = new(() =>
    {
        var directory = Path.Combine(Path.GetTempPath(), $"fve2e-{Environment.ProcessId}-trafficpki");
        CleanupRegistry.AddDirectory(directory);
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        return SwarmTestPki.Create(directory, Clients);
    });

    [Fact]
    public Task Udp_traffic_from_every_client_reaches_a_sink_behind_fleetvpn() => RunAsync(ServerKind.FleetVpn);

    [Fact]
    public Task Udp_traffic_from_every_client_reaches_a_sink_behind_openvpn() => RunAsync(ServerKind.OpenVpn);

    private async Task RunAsync(ServerKind kind)
    {
        var config = Path.Combine(env.TempDirectory, $"traffic-server-{Guid.NewGuid():N}.conf");
        var status = Path.Combine(env.TempDirectory, $"traffic-status-{Guid.NewGuid():N}.log");
        File.WriteAllText(config, new SwarmServerConfig().Render(kind, Pki.Value, status));
        await using var server = await ServerProcess.StartAsync(kind, env.Namespaces.Server, config, env.TempDirectory, output, E2EFixture.ServerReadyTimeout, status);

        using var sink = NamespaceSockets.Udp(env.Namespaces.Server);
        sink.ReceiveBufferSize = 4 << 20;
        sink.ReceiveTimeout = 200;
        sink.Bind(new IPEndPoint(IPAddress.Parse(ServerTunAddress), SinkPort));
        using var stop = new CancellationTokenSource();
        var receiving = Task.Factory.StartNew(() => Receive(sink, stop.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        var run = await SwarmRun.RunAsync(env.Namespaces.Client, env.TempDirectory,
        [
            "--remote", $"{env.Namespaces.ServerAddress}:{ServerConfig.DefaultPort}",
            "--clients", Clients.ToString(CultureInfo.InvariantCulture),
            "--pki", Pki.Value.Directory,
            "--ramp", "50",
            "--duration", "8",
            "--settle", "10",
            "--traffic-target", $"{ServerTunAddress}:{SinkPort}",
            "--traffic-pps", PacketsPerSecond.ToString(CultureInfo.InvariantCulture),
            "--payload-bytes", PayloadBytes.ToString(CultureInfo.InvariantCulture),
        ], TimeSpan.FromSeconds(45), output);
        // The last datagrams may still be on their way through the server.
        await Task.Delay(500);
        await stop.CancelAsync();
        var (received, wrongSize, clients) = await receiving;

        Assert.True(run.Summary is not null, $"the swarm wrote no JSON summary.\n{run.Result}\n{server.Process.Describe(80)}");
        Assert.Equal(Clients, run.Number("connected"));
        long sent = run.Number("traffic", "sent");
        output.WriteLine($"sent {sent}, received {received} (wrong size {wrongSize}) from {clients.Count} clients");
        // Traffic starts once all 20 are connected (well under 4 s) and runs to the end of the 8 s run.
        Assert.True(sent >= PacketsPerSecond * 3, $"the swarm sent only {sent} datagrams\n{run.Result}");
        Assert.Equal(0, run.Number("traffic", "refused"));
        Assert.Equal(0, wrongSize);
        Assert.True(received <= sent, $"the sink received {received} datagrams, more than the {sent} sent");
        // Loopback-like veth, no competing traffic: at most 1 % may be lost (a busy test machine), not more.
        Assert.True(received * 100 >= sent * 99, $"the sink received {received} of {sent} datagrams\n{server.Process.Describe(40)}");
        Assert.Equal(Enumerable.Range(0, Clients).ToHashSet(), clients);
    }

    /// <summary>Counts datagrams until <paramref name="stop"/>; the swarm's payload starts with the sending client's index.</summary>
    private static (long Received, long WrongSize, HashSet<int> Clients) Receive(Socket sink, CancellationToken stop)
    {
        var buffer = new byte[65536];
        long received = 0, wrongSize = 0;
        var clients = new HashSet<int>();
        while (!stop.IsCancellationRequested)
        {
            int n;
            try
            {
                n = sink.Receive(buffer);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
            {
                continue;
            }
            received++;
            if (n != PayloadBytes) wrongSize++;
            else clients.Add(BinaryPrimitives.ReadInt32BigEndian(buffer));
        }
        return (received, wrongSize, clients);
    }
}
