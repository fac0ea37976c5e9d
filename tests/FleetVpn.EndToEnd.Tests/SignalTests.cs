using System.Text.RegularExpressions;
using FleetVpn.EndToEnd.Tests.Infrastructure;

namespace FleetVpn.EndToEnd.Tests;

/// <summary>
/// Signals to a running server: SIGUSR1 (restart) drops every client, which reconnects (told by
/// explicit-exit-notify's RESTART); with persist-tun the server's tun device is the same one before and
/// after (same ifindex). A SIGHUP whose config no longer parses leaves the server running as it was
/// (a SIGHUP that loads reloads without a restart: <see cref="ReloadTests"/>).
/// </summary>
public sealed partial class SignalTests(E2EFixture env, ITestOutputHelper output) : IClassFixture<E2EFixture>
{
    public const int SIGHUP = 1;
    public const int SIGUSR1 = 10;

    [Fact]
    public async Task Restart_with_persist_tun_keeps_the_tun_and_the_client_reconnects()
    {
        const int signal = SIGUSR1;
        await using var server = await env.StartServerAsync(output, new ServerConfig { Extra = ["explicit-exit-notify"] });
        await using var client = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1 });
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, client, server);
        var before = await ServerTunAsync(env);
        Assert.NotNull(before);

        await RestartAsync(server, client, signal, output);

        var after = await ServerTunAsync(env);
        Assert.True(before == after, $"the server's tun changed across the restart: {before} -> {after}.\n{server.Process.Describe()}");
        await AssertPingsBothWaysAsync(env, client, server, Net.FirstClientAddress);

        await server.StopAsync(TimeSpan.FromSeconds(10));
        Assert.True(server.HasExited, server.Process.Describe());
        Assert.Null(await ServerTunAsync(env));
    }

    [Fact]
    public async Task Sighup_with_a_broken_config_keeps_the_server_running_as_it_was()
    {
        if (env.ServerKind != ServerKind.FleetVpn)
        {
            output.WriteLine("the stock server exits on a SIGHUP with a broken config: nothing to compare");
            return;
        }
        await using var server = await env.StartServerAsync(output, new ServerConfig { Extra = ["explicit-exit-notify"] });
        await using var client = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1 });
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, client, server);

        var configPath = ConfigPath(server);
        await File.AppendAllTextAsync(configPath, "no-such-directive 1\n");
        var mark = server.Log.Count;
        Assert.Equal(0, LibC.kill(server.Process.Pid, SIGHUP));
        var refusal = await server.Process.WaitForLineAsync(l => l.Contains("configuration error", StringComparison.Ordinal), TimeSpan.FromSeconds(10), mark);
        Assert.True(refusal is not null, $"no configuration error logged after SIGHUP.\n{server.Process.Describe()}");
        Assert.Contains("no-such-directive", refusal);

        // Nothing was restarted: the client is still on its first connection and the tunnel works.
        await Task.Delay(TimeSpan.FromSeconds(2));
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, client, server);

        // A SIGUSR1 still restarts with the configuration that runs.
        await RestartAsync(server, client, SIGUSR1, output);
        await AssertPingsBothWaysAsync(env, client, server, Net.FirstClientAddress);
    }

    /// <summary>
    /// Sends <paramref name="signal"/> to the server by its PID and waits until the server is ready again
    /// and the client has connected again.
    /// </summary>
    internal static async Task RestartAsync(ServerProcess server, OpenVpnClient client, int signal, ITestOutputHelper output)
    {
        var serverMark = server.Log.Count;
        var clientMark = client.Log.Count;
        Assert.Equal(0, LibC.kill(server.Process.Pid, signal));

        var ready = await server.Process.WaitForLineAsync(
            l => l.Contains(ServerProcess.ReadyLine, StringComparison.Ordinal), TimeSpan.FromSeconds(30), serverMark);
        Assert.True(ready is not null, $"the server did not come back after signal {signal}.\n{server.Process.Describe(100)}");
        var reconnected = await client.Process.WaitForLineAsync(
            l => l.Contains(OpenVpnClient.ConnectedLine, StringComparison.Ordinal), TimeSpan.FromSeconds(40), clientMark);
        Assert.True(reconnected is not null,
            $"the client did not reconnect after signal {signal} to the server.\n{client.Process.Describe()}\n{server.Process.Describe(100)}");
        Assert.False(server.HasExited, server.Process.Describe());
        output.WriteLine($"restarted by signal {signal}; client reconnected");
    }

    internal static async Task AssertPingsBothWaysAsync(E2EFixture env, OpenVpnClient client, ServerProcess server, string clientAddress)
    {
        var addresses = await Net.Ipv4AddressesAsync(client.Namespace, client.Device);
        Assert.True(addresses.Contains($"{clientAddress}/24"),
            $"client tun {client.Device} has [{string.Join(", ", addresses)}], expected {clientAddress}/24.\n{client.Process.Describe()}");
        var ping = await Net.PingAsync(client.Namespace, Net.ServerTunnelAddress);
        Assert.True(ping.Succeeded, $"client cannot ping {Net.ServerTunnelAddress}.\n{ping}\n{server.Process.Describe()}");
        var back = await Net.PingAsync(env.Namespaces.Server, clientAddress);
        Assert.True(back.Succeeded, $"server namespace cannot ping {clientAddress}.\n{back}\n{server.Process.Describe()}");
    }

    /// <summary>"IFINDEX:NAME" of the tun device in the server namespace, or null when there is none.</summary>
    internal static async Task<string?> ServerTunAsync(E2EFixture env)
    {
        var result = await Commands.Ip("-n", env.Namespaces.Server, "-o", "link", "show");
        if (!result.Succeeded) throw new InvalidOperationException(result.ToString());
        var match = TunLinkPattern().Match(result.StandardOutput);
        return match.Success ? $"{match.Groups[1].Value}:{match.Groups[2].Value}" : null;
    }

    /// <summary>The server.conf the fixture wrote for <paramref name="server"/> (from its command line).</summary>
    internal static string ConfigPath(ServerProcess server)
    {
        var parts = server.Process.CommandLine.Split(' ');
        var at = Array.IndexOf(parts, "--config");
        if (at < 0 || at + 1 >= parts.Length) throw new InvalidOperationException($"no --config in {server.Process.CommandLine}");
        return parts[at + 1];
    }

    // "5: tun0: <POINTOPOINT,MULTICAST,NOARP,UP,LOWER_UP> mtu 1500 ..."
    [GeneratedRegex(@"^(\d+): (tun\d*)[:@]", RegexOptions.Multiline)]
    private static partial Regex TunLinkPattern();
}
