using System.Diagnostics;
using FleetVpn.EndToEnd.Tests.Infrastructure;

namespace FleetVpn.EndToEnd.Tests;

/// <summary>
/// explicit-exit-notify both ways: a client that stops tells the server, which frees it at once
/// (status file, server log) instead of after the keepalive timeout; a server that stops tells
/// its clients to reconnect.
/// </summary>
public sealed class ExplicitExitNotifyTests(E2EFixture env, ITestOutputHelper output) : IClassFixture<E2EFixture>
{
    /// <summary>The status file's rewrite interval (<c>status FILE 1</c>).</summary>
    private const int StatusInterval = 1;

    /// <param name="idleSeconds">
    /// Seconds the connected client stays idle before it stops: 0, and 6, past FleetVPN's release of the TLS session
    /// (2 s after the handshake), when the server can no longer read the EXIT and knows it by its TLS record's size.
    /// </param>
    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    public async Task Client_stopped_with_explicit_exit_notify_leaves_the_status_file_at_the_next_rewrite(int idleSeconds)
    {
        await using var server = await env.StartServerAsync(output, new ServerConfig { StatusInterval = StatusInterval });
        var statusPath = server.StatusPath ?? throw new InvalidOperationException("the fixture names no status file");
        await using var client = await env.ConnectClientAsync(output, new ClientConfig
        {
            Identity = env.Pki.Client1,
            Extra = ["explicit-exit-notify 1"],
        });
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, client, server);

        // Listed while connected (waits for the next rewrite: at most one interval).
        var listed = await StatusFile.WaitForAsync(statusPath, s => s.Lists(client.Name), TimeSpan.FromSeconds(3));
        Assert.True(listed is not null, $"the status file never listed {client.Name}:\n{StatusFile.TryRead(statusPath)?.Text}");
        Assert.Contains(listed!.Routes, r => r.VirtualAddress == Net.FirstClientAddress && r.CommonName == client.Name);
        await Task.Delay(TimeSpan.FromSeconds(idleSeconds));

        // SIGTERM by the client's PID; the keepalive timeout (120 s) is far beyond the deadline, so only
        // the exit notification can free the client in time. FleetVPN: within 2.5 s (one status interval,
        // plus 0.5 s for the notification and the session's end); the openvpn stand-in keeps it 5 s longer.
        var deadline = TimeSpan.FromSeconds(StatusInterval + 1) + ServerLogExpectations.ExitNotificationGrace(server.Kind);
        var clock = Stopwatch.StartNew();
        var stopping = client.StopAsync();
        var gone = await StatusFile.WaitForAsync(statusPath, s => !s.Lists(client.Name), deadline);
        var goneAfter = clock.Elapsed;
        await stopping;

        Assert.True(gone is not null, $"{client.Name} is still in the status file {deadline.TotalSeconds} s after its SIGTERM:\n"
                                      + $"{StatusFile.TryRead(statusPath)?.Text}\n{server.Process.Describe()}\n{client.Process.Describe()}");
        output.WriteLine($"left the status file {goneAfter.TotalSeconds:0.00} s after SIGTERM");

        var reason = await server.Process.WaitForLineAsync(
            l => ServerLogExpectations.IsExitNotification(server.Kind, client.Name, l), TimeSpan.FromSeconds(2));
        Assert.True(reason is not null, $"the server log does not show {ServerLogExpectations.DescribeExitNotification(server.Kind, client.Name)}.\n"
                                        + server.Process.Describe());
        output.WriteLine($"server: {reason}");
        Assert.False(server.HasExited, server.Process.Describe());
    }

    [Fact]
    public async Task Server_stopped_with_explicit_exit_notify_makes_the_client_restart()
    {
        await using var server = await env.StartServerAsync(output, new ServerConfig { Extra = ["explicit-exit-notify"] });
        await using var client = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1 });
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, client, server);

        var clientMark = client.Log.Count;
        await server.StopAsync(TimeSpan.FromSeconds(10));

        // openvpn 2.6 on RESTART: "SIGUSR1[soft,server-pushed-connection-reset] received, process restarting".
        var restart = await client.Process.WaitForLineAsync(
            l => l.Contains("server-pushed-connection-reset", StringComparison.Ordinal), TimeSpan.FromSeconds(5), clientMark);
        Assert.True(restart is not null, $"the client did not log server-pushed-connection-reset after the server's SIGTERM.\n"
                                         + $"{client.Process.Describe()}\n{server.Process.Describe()}");
        output.WriteLine($"client: {restart}");
    }
}
