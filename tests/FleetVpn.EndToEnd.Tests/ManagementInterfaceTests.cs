using System.Text.RegularExpressions;
using FleetVpn.EndToEnd.Tests.Infrastructure;

namespace FleetVpn.EndToEnd.Tests;

/// <summary>
/// The management interface scripted over TCP to 127.0.0.1 in the server's namespace (and over a unix socket), with a
/// real openvpn client: the password prompt and banner, `status 2` listing the client, notifications for its connect
/// and disconnect, two management connections at once, `bytecount 1`, `kill CN` making the client restart (the server
/// tells it RESTART), `client-kill CID HALT` making it exit, and `signal SIGUSR1` restarting the server while the
/// management connection stays open; a management port already taken stops the server at start-up. FleetVPN only:
/// the stock server takes one management connection at a time.
/// </summary>
public sealed partial class ManagementInterfaceTests(E2EFixture env, ITestOutputHelper output) : IClassFixture<E2EFixture>
{
    private const int ManagementPort = 7505;
    private const string Password = "fleet-mgmt-pw";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private async Task<ServerProcess> StartServerAsync(params string[] extra)
    {
        var passwordFile = Path.Combine(env.TempDirectory, "management-password.txt");
        await File.WriteAllTextAsync(passwordFile, Password + "\n");
        return await env.StartServerAsync(output, new ServerConfig
        {
            // explicit-exit-notify: the server keeps each client's control channel to tell it RESTART (kill, shutdown).
            Extra = [$"management 127.0.0.1 {ManagementPort} {passwordFile}", "explicit-exit-notify", .. extra],
        }, ServerKind.FleetVpn);
    }

    private static async Task<ManagementClient> LogInAsync(ServerProcess server, string ns)
    {
        var management = await ManagementClient.ConnectTcpAsync(ns, ManagementPort);
        var prompt = await management.WaitForAsync("ENTER PASSWORD:", Wait);
        Assert.True(prompt == "ENTER PASSWORD:", $"no password prompt first: '{management.Received}'\n{server.Process.Describe()}");
        var welcome = await management.CommandAsync(Password, "help' for more info\r\n");
        Assert.Equal("SUCCESS: password is correct\r\n>INFO:OpenVPN Management Interface Version 5 -- type 'help' for more info\r\n", welcome);
        return management;
    }

    [Fact]
    public async Task Status_notifications_bytecount_and_kill_work_on_two_connections_with_a_real_client()
    {
        await using var server = await StartServerAsync();
        await using var first = await LogInAsync(server, env.Namespaces.Server);
        await using var second = await LogInAsync(server, env.Namespaces.Server);
        string name = env.Pki.Client1.CommonName;

        Assert.Equal("ERROR: bad password\r\n", await WrongPasswordAsync());

        await using var client = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1 });
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, client, server);

        // Both connections hear of the client: CONNECT and ESTABLISHED, each with its ENV lines and ENV,END.
        foreach (var management in new[] { first, second })
        {
            var connect = await management.WaitForAsync(">CLIENT:ENV,END\r\n", Wait);
            Assert.True(connect is not null, $"no >CLIENT:CONNECT notification: {management.Received}");
            Assert.Matches(@">CLIENT:CONNECT,\d+,0\r\n", connect);
            Assert.Contains($">CLIENT:ENV,common_name={name}\r\n", connect);
            var established = await management.WaitForAsync(">CLIENT:ENV,END\r\n", Wait);
            Assert.True(established is not null, $"no >CLIENT:ESTABLISHED notification: {management.Received}");
            Assert.Matches(@"^>CLIENT:ESTABLISHED,\d+\r\n", established);
            Assert.Contains($">CLIENT:ENV,ifconfig_pool_remote_ip={Net.FirstClientAddress}\r\n", established);
        }

        var status = await first.CommandAsync("status 2", "\r\nEND\r\n");
        output.WriteLine(status);
        var row = ClientListRow().Match(status);
        Assert.True(row.Success && row.Groups["cn"].Value == name, $"status 2 does not list {name}:\n{status}");
        string cid = row.Groups["cid"].Value;
        Assert.Equal("SUCCESS: nclients=1,", (await second.CommandAsync("load-stats"))[..20]);

        // bytecount 1 on the second connection: a >BYTECOUNT_CLI line for the client, with bytes counted.
        Assert.Equal("SUCCESS: bytecount interval changed\r\n", await second.CommandAsync("bytecount 1"));
        var bytecount = await second.WaitForAsync($">BYTECOUNT_CLI:{cid},", Wait);
        Assert.True(bytecount is not null, $"no >BYTECOUNT_CLI:{cid} line: {second.Received}");
        var counts = await second.WaitForAsync("\r\n", Wait);
        Assert.Matches(@"^[1-9]\d*,[1-9]\d*\r\n$", counts);
        Assert.Equal("SUCCESS: bytecount interval changed\r\n", await second.CommandAsync("bytecount 0"));

        // kill CN: the server tells the client RESTART and drops it; the client restarts and comes back.
        int serverMark = server.Log.Count, clientMark = client.Log.Count;
        Assert.Equal($"SUCCESS: common name '{name}' found, 1 client(s) killed\r\n", await first.CommandAsync($"kill {name}"));
        var disconnect = await first.WaitForAsync(">CLIENT:ENV,END\r\n", Wait);
        Assert.True(disconnect is not null, $"no >CLIENT:DISCONNECT after kill: {first.Received}");
        Assert.Contains($">CLIENT:DISCONNECT,{cid}\r\n", disconnect);
        Assert.Contains($">CLIENT:ENV,common_name={name}\r\n", disconnect);
        var dropped = await server.Process.WaitForLineAsync(l => l.Contains($"{name}/", StringComparison.Ordinal)
            && l.Contains($"killed by the management interface (kill {name})", StringComparison.Ordinal), Wait, serverMark);
        Assert.True(dropped is not null, $"the server log does not show the kill.\n{server.Process.Describe()}");
        // openvpn 2.6 on RESTART: "SIGUSR1[soft,server-pushed-connection-reset] received, process restarting".
        var restarted = await client.Process.WaitForLineAsync(l => l.Contains("server-pushed-connection-reset", StringComparison.Ordinal), Wait, clientMark);
        Assert.True(restarted is not null, $"the client did not restart after the kill.\n{client.Process.Describe()}");
        var back = await first.WaitForAsync(">CLIENT:ESTABLISHED,", Wait);
        Assert.True(back is not null, $"the client did not come back after its restart: {first.Received}\n{client.Process.Describe()}");

        // client-kill CID HALT: the client is told to stop, and leaves the client list.
        status = await first.CommandAsync("status 2", "\r\nEND\r\n");
        row = ClientListRow().Match(status);
        Assert.True(row.Success, $"status 2 does not list the client after its restart:\n{status}");
        clientMark = client.Log.Count;
        Assert.Equal("SUCCESS: client-kill command succeeded\r\n", await second.CommandAsync($"client-kill {row.Groups["cid"].Value} HALT"));
        var halted = await client.Process.WaitForLineAsync(l => l.Contains("server-pushed-halt", StringComparison.Ordinal), Wait, clientMark);
        Assert.True(halted is not null, $"the client did not log the HALT.\n{client.Process.Describe()}");
        string? listed = status;
        for (int i = 0; i < 100 && listed.Contains($"CLIENT_LIST,{name},", StringComparison.Ordinal); i++)
        {
            await Task.Delay(200);
            listed = await first.CommandAsync("status 2", "\r\nEND\r\n");
        }
        Assert.DoesNotContain($"CLIENT_LIST,{name},", listed);
        Assert.Equal("ERROR: client-kill command failed\r\n", await second.CommandAsync($"client-kill {row.Groups["cid"].Value}"));
        Assert.False(server.HasExited, server.Process.Describe());
    }

    [Fact]
    public async Task Unix_socket_and_signal_SIGUSR1_restart_the_server_with_the_connection_kept()
    {
        var socketPath = Path.Combine(env.TempDirectory, "management.sock");
        var passwordFile = Path.Combine(env.TempDirectory, "management-password.txt");
        await File.WriteAllTextAsync(passwordFile, Password + "\n");
        await using var server = await env.StartServerAsync(output, new ServerConfig
        {
            Extra = [$"management {socketPath} unix {passwordFile}", "status-version 3"],
        }, ServerKind.FleetVpn);
        await using var management = await ManagementClient.ConnectUnixAsync(socketPath);
        Assert.Equal("ENTER PASSWORD:", await management.WaitForAsync("ENTER PASSWORD:", Wait));
        await management.CommandAsync(Password, "help' for more info\r\n");

        var status = await management.CommandAsync("status", "\r\nEND\r\n");
        Assert.StartsWith("TITLE\t", status); // status-version 3 is the default of `status`
        Assert.Contains("\r\nHEADER\tCLIENT_LIST\tCommon Name\t", status);
        Assert.Equal("SUCCESS: real-time log notification set to ON\r\n", await management.CommandAsync("log on"));

        int mark = server.Log.Count;
        // With `log on` the command's own log line may come before the reply, as with OpenVPN.
        Assert.DoesNotContain("ERROR", await management.CommandAsync("signal SIGUSR1", "SUCCESS: signal SIGUSR1 thrown\r\n"));
        var restarted = await server.Process.WaitForLineAsync(l => l.Contains(ServerProcess.ReadyLine, StringComparison.Ordinal), Wait, mark);
        Assert.True(restarted is not null, $"the server did not restart on signal SIGUSR1.\n{server.Process.Describe()}");
        // The same connection saw the restart in the real-time log, and still answers.
        var logged = await management.WaitForAsync("Initialization Sequence Completed\r\n", Wait);
        Assert.True(logged is not null, $"no >LOG line of the restart: {management.Received}");
        Assert.Contains("SIGUSR1", logged);
        Assert.StartsWith("TITLE\t", await management.CommandAsync("status", "\r\nEND\r\n"));
        Assert.False(management.Closed);
        Assert.False(server.HasExited, server.Process.Describe());
    }

    [Fact]
    public async Task A_management_port_already_taken_stops_the_server_at_start_up()
    {
        using var squatter = NamespaceSockets.Tcp(env.Namespaces.Server);
        squatter.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, ManagementPort));
        squatter.Listen();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartServerAsync());

        Assert.Contains($"fatal: management 127.0.0.1:{ManagementPort}: ", error.Message);
    }

    private async Task<string> WrongPasswordAsync()
    {
        await using var intruder = await ManagementClient.ConnectTcpAsync(env.Namespaces.Server, ManagementPort);
        await intruder.WaitForAsync("ENTER PASSWORD:", Wait);
        return await intruder.CommandAsync("not the password");
    }

    [GeneratedRegex(@"\r\nCLIENT_LIST,(?<cn>[^,]+),[^,]+,[^,]+,,\d+,\d+,[^,]+,\d+,UNDEF,(?<cid>\d+),\d+,[^,\r]+\r\n")]
    private static partial Regex ClientListRow();
}
