using FleetVpn.EndToEnd.Tests.Infrastructure;

namespace FleetVpn.EndToEnd.Tests;

/// <summary>
/// <c>user nobody</c> / <c>group nogroup</c>: once the tun exists and the port is bound, every thread of the
/// server runs as that user and group only; the tunnel works; with persist-tun a SIGUSR1 restart keeps the
/// tun, which the unprivileged process could not open again; `ifconfig-pool-persist` is read and written by it.
/// </summary>
public sealed class PrivilegeTests(E2EFixture env, ITestOutputHelper output) : IClassFixture<E2EFixture>
{
    private const string User = "nobody";

    [Fact]
    public async Task User_and_group_drop_root_on_every_thread_and_the_tunnel_works()
    {
        var group = UnprivilegedGroup();
        await using var server = await env.StartServerAsync(output, new ServerConfig { Extra = [$"user {User}", $"group {group}"] });
        await using var client = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1 });
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, client, server);

        AssertEveryThreadRunsAs(server, UserId(User), GroupId(group));
        if (server.Kind == ServerKind.FleetVpn)
            Assert.True(server.Log.Contains($"dropped privileges to user {User} group {group}"), server.Process.Describe());
    }

    [Fact]
    public async Task After_dropping_root_sigusr1_keeps_the_tun_and_the_client_reconnects()
    {
        var group = UnprivilegedGroup();
        await using var server = await env.StartServerAsync(output, new ServerConfig
        {
            Extra = [$"user {User}", $"group {group}", "explicit-exit-notify"],
        });
        await using var client = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1 });
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, client, server);
        var before = await SignalTests.ServerTunAsync(env);

        await SignalTests.RestartAsync(server, client, SignalTests.SIGUSR1, output);

        Assert.Equal(before, await SignalTests.ServerTunAsync(env));
        await SignalTests.AssertPingsBothWaysAsync(env, client, server, Net.FirstClientAddress);
        AssertEveryThreadRunsAs(server, UserId(User), GroupId(group));
    }

    [Fact]
    public async Task The_unprivileged_server_keeps_ifconfig_pool_persist_and_gives_the_client_its_address_back()
    {
        var group = UnprivilegedGroup();
        var directory = Path.Combine(env.TempDirectory, $"ipp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute);
        var ipp = Path.Combine(directory, "ipp.txt");
        await File.WriteAllTextAsync(ipp, $"{env.Pki.Client1.CommonName},10.8.0.7,\nsomeone-else,10.8.0.2,\n");
        File.SetUnixFileMode(ipp, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);

        await using var server = await env.StartServerAsync(output, new ServerConfig
        {
            Extra = [$"user {User}", $"group {group}", "explicit-exit-notify", $"ifconfig-pool-persist {ipp} 1"],
        });
        await using var client = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1 });
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, client, server, "10.8.0.7");

        // Rewritten every second by the unprivileged server, with both names.
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        var text = await File.ReadAllTextAsync(ipp);
        Assert.Contains($"{env.Pki.Client1.CommonName},10.8.0.7,", text);
        Assert.Contains("someone-else,10.8.0.2,", text);

        // FleetVPN reads the file again on the restart, so the client keeps its address; the stock
        // server does not read it again on SIGUSR1 and hands out the lowest free one.
        await SignalTests.RestartAsync(server, client, SignalTests.SIGUSR1, output);
        var address = server.Kind == ServerKind.FleetVpn
            ? "10.8.0.7"
            : (await Net.Ipv4AddressesAsync(client.Namespace, client.Device)).Select(a => a.Split('/')[0]).FirstOrDefault() ?? "(none)";
        await SignalTests.AssertPingsBothWaysAsync(env, client, server, address);
    }

    /// <summary>Every thread's real, effective, saved and filesystem ids, and its supplementary groups, are the given ones.</summary>
    private static void AssertEveryThreadRunsAs(ServerProcess server, uint uid, uint gid)
    {
        var tasks = Directory.GetDirectories($"/proc/{server.Process.Pid}/task");
        Assert.NotEmpty(tasks);
        foreach (var task in tasks)
        {
            string status;
            try { status = File.ReadAllText(Path.Combine(task, "status")); }
            catch (IOException) { continue; } // the thread ended meanwhile
            Assert.True(Ids(status, "Uid:").All(id => id == uid), $"thread {Path.GetFileName(task)}: {Line(status, "Uid:")}, expected {uid}");
            Assert.True(Ids(status, "Gid:").All(id => id == gid), $"thread {Path.GetFileName(task)}: {Line(status, "Gid:")}, expected {gid}");
            Assert.True(Ids(status, "Groups:").All(id => id == gid), $"thread {Path.GetFileName(task)}: {Line(status, "Groups:")}, expected {gid}");
        }
    }

    private static string Line(string status, string key) =>
        status.Split('\n').FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal)) ?? $"{key} (missing)";

    private static uint[] Ids(string status, string key) =>
        Line(status, key)[key.Length..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(uint.Parse).ToArray();

    /// <summary>The unprivileged group of the distribution: nogroup (Debian, Ubuntu) or nobody.</summary>
    private static string UnprivilegedGroup() =>
        new[] { "nogroup", "nobody" }.FirstOrDefault(g => AccountId("/etc/group", g) is not null)
        ?? throw new InvalidOperationException("neither nogroup nor nobody is in /etc/group");

    private static uint UserId(string name) => AccountId("/etc/passwd", name) ?? throw new InvalidOperationException($"no user {name}");

    private static uint GroupId(string name) => AccountId("/etc/group", name) ?? throw new InvalidOperationException($"no group {name}");

    /// <summary>The id (third field) of <paramref name="name"/> in a passwd or group file.</summary>
    private static uint? AccountId(string file, string name) =>
        File.ReadLines(file).Select(l => l.Split(':')).Where(f => f.Length > 2 && f[0] == name).Select(f => (uint?)uint.Parse(f[2])).FirstOrDefault();
}
