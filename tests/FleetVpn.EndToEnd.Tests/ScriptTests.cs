using FleetVpn.EndToEnd.Tests.Infrastructure;

namespace FleetVpn.EndToEnd.Tests;

/// <summary>
/// client-connect, client-disconnect and auth-user-pass-verify scripts with real openvpn 2.6 clients: a slow
/// client-connect (5 s) does not hold up another client's connect; a non-zero exit refuses (AUTH_FAILED); the dynamic
/// config file the script writes is applied; client-disconnect gets the byte counters; auth-user-pass-verify accepts
/// and refuses by the username and password of the client's auth-user-pass file (via-file and via-env).
/// </summary>
public sealed class ScriptTests(E2EFixture env, ITestOutputHelper output) : IClassFixture<E2EFixture>
{
    private const string AddressA = "10.8.0.2";
    private const string AddressB = "10.8.0.3";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_slow_client_connect_script_does_not_delay_a_second_clients_connect()
    {
        if (env.ServerKind != ServerKind.FleetVpn)
        {
            output.WriteLine("the stock server runs client-connect on its one thread: every client waits for it, nothing to compare");
            return;
        }
        var events = Path.Combine(env.TempDirectory, "slow-connect-events.txt");
        var script = Script("slow-connect.sh", $"""
            echo "start $common_name" >> {events}
            if [ "$common_name" = "{env.Pki.Client1.CommonName}" ]; then sleep 5; fi
            echo "end $common_name" >> {events}
            exit 0
            """);
        await using var server = await env.StartServerAsync(output, new ServerConfig { Extra = ["script-security 2", $"client-connect {script}"] });

        await using var slow = env.StartClient(output, new ClientConfig { Identity = env.Pki.Client1, Device = "fvc0" });
        Assert.True(await WaitForFileLineAsync(events, $"start {env.Pki.Client1.CommonName}"), $"client1's script never started.\n{server.Process.Describe()}");

        var secondSide = await env.Namespaces.ClientSideAsync(2);
        await using var fast = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client2, Device = "fvc1" }, secondSide);
        var seen = await File.ReadAllTextAsync(events);
        output.WriteLine($"events when client2 had connected:\n{seen}");
        Assert.Contains($"end {env.Pki.Client2.CommonName}", seen);
        Assert.DoesNotContain($"end {env.Pki.Client1.CommonName}", seen);
        Assert.False(slow.IsConnected, "client1 connected before its 5 s script ended");

        // The slow one gets through once its script is done.
        await slow.WaitConnectedAsync(Wait);
        Assert.Contains($"end {env.Pki.Client1.CommonName}", await File.ReadAllTextAsync(events));
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, slow, server, AddressA);
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, fast, server, AddressB);
    }

    [Fact]
    public async Task A_non_zero_client_connect_refuses_and_the_dynamic_config_file_is_applied()
    {
        var script = Script("connect.sh", $"""
            if [ "$common_name" = "{env.Pki.Client2.CommonName}" ]; then exit 1; fi
            echo 'push "route 192.168.88.0 255.255.255.0"' > "$1"
            exit 0
            """);
        await using var server = await env.StartServerAsync(output, new ServerConfig { Extra = ["script-security 2", $"client-connect {script}"] });
        await using var good = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1, Device = "fvc0" });
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, good, server, AddressA);
        var routes = await Commands.Exec(good.Namespace, "ip", "route", "show", "192.168.88.0/24");
        Assert.True(routes.StandardOutput.Contains("fvc0", StringComparison.Ordinal), $"the dynamic config's route was not pushed:\n{routes}\n{good.Process.Describe()}");

        var secondSide = await env.Namespaces.ClientSideAsync(2);
        await using var refused = env.StartClient(output, new ClientConfig { Identity = env.Pki.Client2, Device = "fvc1" }, secondSide);
        var authFailed = await refused.Process.WaitForLineAsync(l => l.Contains("AUTH_FAILED", StringComparison.Ordinal), Wait);
        Assert.True(authFailed is not null, $"the client refused by client-connect saw no AUTH_FAILED.\n{refused.Process.Describe()}\n{server.Process.Describe()}");
        await TunnelAssertions.AssertNotConnectedAsync(env, refused);
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, good, server, AddressA);
    }

    [Fact]
    public async Task Client_disconnect_runs_with_the_byte_counters()
    {
        var dump = Path.Combine(env.TempDirectory, "disconnect-env.txt");
        var script = Script("disconnect.sh", $"env > {dump}.tmp && mv {dump}.tmp {dump}");
        await using var server = await env.StartServerAsync(output, new ServerConfig { Extra = ["script-security 2", $"client-disconnect {script}"] });
        // explicit-exit-notify: the client says EXIT when it stops, so the server ends the session at once.
        var client = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1, Device = "fvc0", Extra = ["explicit-exit-notify 1"] });
        await using (client)
        {
            await TunnelAssertions.AssertConnectedAndPingingAsync(env, client, server, AddressA);
            await client.StopAsync();
        }

        Assert.True(await WaitForFileAsync(dump), $"client-disconnect did not run.\n{server.Process.Describe()}");
        var variables = File.ReadAllLines(dump).Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        output.WriteLine(string.Join("\n", variables.Select(v => $"{v.Key}={v.Value}")));
        Assert.Equal("client-disconnect", variables["script_type"]);
        Assert.Equal(env.Pki.Client1.CommonName, variables["common_name"]);
        Assert.Equal(env.Namespaces.ClientAddress, variables["trusted_ip"]);
        Assert.Equal(AddressA, variables["ifconfig_pool_remote_ip"]);
        Assert.True(long.Parse(variables["bytes_received"]) > 0, "bytes_received is 0");
        Assert.True(long.Parse(variables["bytes_sent"]) > 0, "bytes_sent is 0");
        Assert.True(variables.ContainsKey("time_duration"));
        Assert.StartsWith("tun", variables["dev"]);
    }

    [Theory]
    [InlineData("via-file")]
    [InlineData("via-env")]
    public async Task Auth_user_pass_verify_accepts_the_right_password_and_refuses_a_wrong_one(string method)
    {
        var script = Script($"verify-{method}.sh", method == "via-file"
            ? """
              user=$(sed -n 1p "$1"); pass=$(sed -n 2p "$1")
              [ "$user" = "alice" ] && [ "$pass" = "right horse" ] && [ "$script_type" = "user-pass-verify" ]
              """
            : """
              [ "$username" = "alice" ] && [ "$password" = "right horse" ] && [ "$script_type" = "user-pass-verify" ]
              """);
        var security = method == "via-env" ? 3 : 2;
        await using var server = await env.StartServerAsync(output, new ServerConfig
        {
            Extra = [$"script-security {security}", $"auth-user-pass-verify {script} {method}", "username-as-common-name"],
        });

        await using var good = await env.ConnectClientAsync(output, new ClientConfig
        {
            Identity = env.Pki.Client1, Device = "fvc0", Extra = [$"auth-user-pass {Credentials("good", "alice", "right horse")}"],
        });
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, good, server, AddressA);
        if (server.Kind == ServerKind.FleetVpn)
            Assert.True(server.Log.Find(l => l.Contains("alice/", StringComparison.Ordinal) && l.Contains("connected", StringComparison.Ordinal)) is not null,
                $"with username-as-common-name the client is not named alice.\n{server.Process.Describe()}");

        var secondSide = await env.Namespaces.ClientSideAsync(2);
        await using var bad = env.StartClient(output, new ClientConfig
        {
            Identity = env.Pki.Client2, Device = "fvc1", Extra = [$"auth-user-pass {Credentials("bad", "alice", "wrong horse")}"],
        }, secondSide);
        var authFailed = await bad.Process.WaitForLineAsync(l => l.Contains("AUTH_FAILED", StringComparison.Ordinal), Wait);
        Assert.True(authFailed is not null, $"a wrong password was not refused with AUTH_FAILED.\n{bad.Process.Describe()}\n{server.Process.Describe()}");
        await TunnelAssertions.AssertNotConnectedAsync(env, bad);
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, good, server, AddressA);
    }

    /// <summary>An executable /bin/sh script in the class's temp folder.</summary>
    private string Script(string name, string body)
    {
        var path = Path.Combine(env.TempDirectory, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    /// <summary>An auth-user-pass file (username, password, a line each).</summary>
    private string Credentials(string name, string user, string password)
    {
        var path = Path.Combine(env.TempDirectory, $"credentials-{name}.txt");
        File.WriteAllText(path, $"{user}\n{password}\n");
        return path;
    }

    private static async Task<bool> WaitForFileLineAsync(string path, string line)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (DateTime.UtcNow < deadline)
        {
            if (File.Exists(path) && File.ReadAllLines(path).Contains(line)) return true;
            await Task.Delay(100);
        }
        return false;
    }

    private static async Task<bool> WaitForFileAsync(string path)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (DateTime.UtcNow < deadline)
        {
            if (File.Exists(path)) return true;
            await Task.Delay(100);
        }
        return false;
    }
}
