using FleetVpn.EndToEnd.Tests.Infrastructure;

namespace FleetVpn.EndToEnd.Tests;

/// <summary>
/// Server <c>mssfix 1450</c> with <c>tun-mtu 1500</c>: TCP through the tunnel is clamped so that the
/// encapsulated datagrams fit the 1500-byte veth link, so bulk transfers arrive intact with no IP
/// fragmentation in either namespace.
/// </summary>
public sealed class MssFixTests(E2EFixture env, ITestOutputHelper output) : IClassFixture<E2EFixture>
{
    [Fact]
    public async Task Server_mssfix_1450_carries_20_MB_intact_without_ip_fragmentation()
    {
        await using var server = await env.StartServerAsync(output, new ServerConfig { Extra = ["tun-mtu 1500", "mssfix 1450"] });
        await using var client = await env.ConnectClientAsync(output, new ClientConfig
        {
            Identity = env.Pki.Client1,
            // A 2.6 client clamps on its own by default (mssfix 1492 mtu), which would hide whether the
            // server clamps: switched off here, so the server's mssfix is the only one. Without any
            // clamp, full-size (1460-byte MSS) segments become datagrams over 1500 bytes and fragment.
            Extra = ["tun-mtu 1500", "mssfix 0"],
        });
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, client, server);

        var namespaces = new[] { env.Namespaces.Server, client.Namespace };
        var before = await Task.WhenAll(namespaces.Select(KernelIpCounters.ReadAsync));

        // Up: client to the server's tunnel address (the server clamps the MSS of the SYN-ACK it
        // forwards); down: server namespace to the client's (the SYN's MSS).
        var up = await TcpTransfer.RunAsync(client.Namespace, env.Namespaces.Server, Net.ServerTunnelAddress,
            port: 5004, size: 20 * 1024 * 1024, timeout: TimeSpan.FromSeconds(90));
        output.WriteLine($"up: {up}");
        var down = await TcpTransfer.RunAsync(env.Namespaces.Server, client.Namespace, Net.FirstClientAddress,
            port: 5005, size: 5 * 1024 * 1024, timeout: TimeSpan.FromSeconds(60));
        output.WriteLine($"down: {down}");

        var after = await Task.WhenAll(namespaces.Select(KernelIpCounters.ReadAsync));
        var fragmentation = after.Zip(before)
            .SelectMany(p => p.First.FragmentationSince(p.Second).Select(c => $"{p.First.Namespace}: {c}"))
            .ToArray();

        Assert.Equal(up.Sent, up.Received);
        Assert.Equal(up.SentHash, up.ReceivedHash);
        Assert.Equal(down.Sent, down.Received);
        Assert.Equal(down.SentHash, down.ReceivedHash);
        Assert.True(fragmentation.Length == 0,
            "IP fragmentation during the transfers (/proc/net/snmp Ip: counters):\n  " + string.Join("\n  ", fragmentation));
        Assert.False(server.HasExited, server.Process.Describe());
    }
}
