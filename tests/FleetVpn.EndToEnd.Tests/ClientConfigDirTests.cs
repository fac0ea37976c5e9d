using System.Text.RegularExpressions;
using FleetVpn.EndToEnd.Tests.Infrastructure;

namespace FleetVpn.EndToEnd.Tests;

/// <summary>
/// <c>client-config-dir</c>: a file named after the client certificate's common name gives that client
/// a fixed address (<c>ifconfig-push</c>), extra pushed options (<c>push</c>) and a subnet behind it
/// (<c>iroute</c>: the server adds the kernel route itself and routes the subnet's packets to the
/// client); <c>disable</c> refuses the client, a directive FleetVPN does not take there refuses it with
/// the file, line and reason in the server log, and <c>ccd-exclusive</c> refuses clients without a file,
/// while the other clients keep working. client1 runs in the first client namespace, client2 in a
/// second one; each test starts its own server with its own client-config-dir.
/// </summary>
public sealed partial class ClientConfigDirTests(E2EFixture env, ITestOutputHelper output) : IClassFixture<E2EFixture>
{
    private const string StaticAddress = "10.8.0.77";
    private const string PushedRoute = "10.99.0.0/16";
    private const string IRouteNetwork = "192.168.77.0/24";
    private const string IRouteHost = "192.168.77.1";

    /// <summary>How long a refusal may take to show in the server log (TLS handshake, then the ccd lookup).</summary>
    private static readonly TimeSpan RefusalTimeout = TimeSpan.FromSeconds(20);

    /// <summary>A wrongly accepted client would connect within a second or two of its refusal: it gets this long.</summary>
    private static readonly TimeSpan NotConnectedWait = TimeSpan.FromSeconds(3);

    /// <summary>client1's file in most tests: a fixed address, a pushed route, and a subnet behind it.</summary>
    private static readonly string[] Client1File =
    [
        "# client1: fixed address, one more route, a network behind it",
        $"ifconfig-push {StaticAddress} 255.255.255.0",
        "push \"route 10.99.0.0 255.255.0.0\"",
        "iroute 192.168.77.0 255.255.255.0",
    ];

    [Fact]
    public async Task Ifconfig_push_gives_the_fixed_address_and_a_ccd_push_adds_a_client_route()
    {
        var ccd = WriteCcd("static", (env.Pki.Client1.CommonName, Client1File));
        await using var server = await StartServerAsync(ccd);
        await using var client = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1, Device = "fvc0" });

        // ip -n <cli> addr: 10.8.0.77/24 on the tun; both ways ping (the server namespace pings 10.8.0.77).
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, client, server, StaticAddress);
        var assigned = server.Log.Find(l => l.Contains($"{env.Pki.Client1.CommonName}/", StringComparison.Ordinal)
                                            && l.Contains("connected, assigned", StringComparison.Ordinal));
        output.WriteLine($"server: {assigned ?? "(no \"connected, assigned\" line)"}");

        // push "route 10.99.0.0 255.255.0.0": openvpn adds 10.99.0.0/16 via the server's tunnel address on its tun.
        var routes = await Commands.Ip("-n", client.Namespace, "-4", "route", "show");
        Assert.True(routes.Succeeded, routes.ToString());
        output.WriteLine($"client routes:\n{routes.StandardOutput}");
        var pushed = RouteLine(routes.StandardOutput, PushedRoute);
        Assert.True(pushed is not null && pushed.Contains($"dev {client.Device}", StringComparison.Ordinal)
                                       && pushed.Contains($"via {Net.ServerTunnelAddress}", StringComparison.Ordinal),
            $"the client has no route {PushedRoute} via {Net.ServerTunnelAddress} dev {client.Device}:\n{routes.StandardOutput}\n"
            + client.Process.Describe());
    }

    [Fact]
    public async Task Iroute_routes_the_subnet_behind_the_client_and_its_kernel_route_goes_with_the_client()
    {
        var ccd = WriteCcd("iroute", (env.Pki.Client1.CommonName, Client1File));
        // FleetVPN adds the kernel route for an iroute itself; the stock server needs a server.conf `route` for it.
        await using var server = await StartServerAsync(ccd,
            env.ServerKind == ServerKind.OpenVpn ? ["route 192.168.77.0 255.255.255.0"] : []);
        var serverNs = env.Namespaces.Server;
        if (server.Kind == ServerKind.FleetVpn)
        {
            var before = RouteLine(await ServerRoutesAsync(), IRouteNetwork);
            Assert.True(before is null, $"the server namespace has a route {IRouteNetwork} before any client connected: {before}");
        }

        var hostAdded = false;
        try
        {
            await using var client = await env.ConnectClientAsync(output, new ClientConfig
            {
                Identity = env.Pki.Client1,
                Device = "fvc0",
                // Tells the server at once when the client stops (the keepalive timeout is 120 s).
                Extra = ["explicit-exit-notify 1"],
            });
            await TunnelAssertions.AssertConnectedAndPingingAsync(env, client, server, StaticAddress);

            // The network "behind" the client: one address on the client namespace's lo, nothing else
            // (no forwarding, no route). The server namespace reaches it only through the tunnel.
            await Commands.IpChecked("-n", client.Namespace, "addr", "add", $"{IRouteHost}/32", "dev", "lo");
            hostAdded = true;

            var routes = await ServerRoutesAsync();
            output.WriteLine($"server routes while client1 is connected:\n{routes}");
            var kernelRoute = RouteLine(routes, IRouteNetwork);
            Assert.True(kernelRoute is not null && kernelRoute.Contains("dev ", StringComparison.Ordinal),
                $"the server namespace has no route {IRouteNetwork} while client1 is connected:\n{routes}\n{server.Process.Describe()}");
            var device = DeviceOf(kernelRoute!);
            Assert.False(device.StartsWith(NetworkNamespacePair.ServerVeth, StringComparison.Ordinal),
                $"{IRouteNetwork} goes over the veth link, not the server's tun: {kernelRoute}");

            // The request leaves the server namespace on its tun, the server hands it to client1 (iroute),
            // client1's kernel answers from 192.168.77.1, and the server accepts that source from client1.
            var ping = await Net.PingAsync(serverNs, IRouteHost);
            Assert.True(ping.Succeeded, $"the server namespace cannot ping {IRouteHost} behind client1.\n{ping}\n"
                                        + $"{server.Process.Describe()}\n{client.Process.Describe()}");
            output.WriteLine(ping.StandardOutput);

            // The client leaves (explicit-exit-notify): the server ends its session and removes the route.
            var mark = server.Log.Count;
            await client.StopAsync();
            var gone = await server.Process.WaitForLineAsync(
                l => l.Contains($"{env.Pki.Client1.CommonName}", StringComparison.Ordinal)
                     && (l.Contains("disconnected", StringComparison.OrdinalIgnoreCase) || l.Contains("exit message", StringComparison.OrdinalIgnoreCase)),
                TimeSpan.FromSeconds(5), mark);
            output.WriteLine($"server: {gone ?? "(no disconnect line)"}");

            if (server.Kind == ServerKind.OpenVpn)
            {
                output.WriteLine("the stock server's route comes from server.conf and stays: nothing more to check");
                return;
            }

            // Bounded: at most 5 s (50 polls) for the session's end and the route's removal.
            string? left = kernelRoute;
            for (var i = 0; i < 50 && left is not null; i++)
            {
                await Task.Delay(100);
                left = RouteLine(await ServerRoutesAsync(), IRouteNetwork);
            }
            Assert.True(left is null, $"the kernel route is still in the server namespace after client1 disconnected: {left}\n"
                                      + $"{server.Process.Describe()}\n{client.Process.Describe()}");
            Assert.False(server.HasExited, server.Process.Describe());
        }
        finally
        {
            if (hostAdded) await Commands.Ip("-n", env.Namespaces.Client, "addr", "del", $"{IRouteHost}/32", "dev", "lo");
        }
    }

    [Fact]
    public async Task Disable_refuses_that_client_while_the_other_keeps_pinging()
    {
        var secondSide = await env.Namespaces.ClientSideAsync(2);
        var ccd = WriteCcd("disable",
            (env.Pki.Client1.CommonName, Client1File),
            (env.Pki.Client2.CommonName, ["disable"]));
        await using var server = await StartServerAsync(ccd);
        await using var first = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1, Device = "fvc0" });
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, first, server, StaticAddress);

        var mark = server.Log.Count;
        await using var second = env.StartClient(output, new ClientConfig { Identity = env.Pki.Client2, Device = "fvc1" }, secondSide);
        var refusal = await WaitForRefusalAsync(server, env.Pki.Client2.CommonName, mark, server.Kind switch
        {
            ServerKind.FleetVpn => ["refused: disabled by its client-config-dir file"],
            _ => ["rejected due to 'disable' directive"],
        });

        await AssertNeverConnectsAsync(second);
        Assert.True(refusal is not null, $"the server log does not say that {env.Pki.Client2.CommonName} was refused for `disable`.\n"
                                         + server.Process.Describe(150));
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, first, server, StaticAddress);
    }

    [Fact]
    public async Task Unsupported_directive_refuses_that_client_with_file_line_and_reason_and_others_keep_working()
    {
        if (env.ServerKind != ServerKind.FleetVpn)
        {
            // openvpn 2.6.14: "Options error: option 'route' cannot be used in this context (<file>)", then PUSH_REPLY.
            output.WriteLine("the stock server logs an options error for a ccd `route` and still admits the client: the refusal is FleetVPN's");
            return;
        }
        var secondSide = await env.Namespaces.ClientSideAsync(2);
        var ccd = WriteCcd("unsupported",
            (env.Pki.Client1.CommonName, Client1File),
            (env.Pki.Client2.CommonName,
            [
                "# client2: a server.conf directive that has no place here",
                "push \"route 10.98.0.0 255.255.0.0\"",
                "route 10.1.0.0 255.255.0.0",
            ]));
        var client2File = Path.Combine(ccd, env.Pki.Client2.CommonName);
        await using var server = await StartServerAsync(ccd);
        await using var first = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1, Device = "fvc0" });
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, first, server, StaticAddress);

        var mark = server.Log.Count;
        await using (var second = env.StartClient(output, new ClientConfig { Identity = env.Pki.Client2, Device = "fvc1" }, secondSide))
        {
            // "client2/ADDR refused: client-config-dir: <file>:3: 'route 10.1.0.0 255.255.0.0': not supported in client-config-dir files"
            var refusal = await WaitForRefusalAsync(server, env.Pki.Client2.CommonName, mark, ["refused: client-config-dir:"]);
            await AssertNeverConnectsAsync(second);
            Assert.True(refusal is not null, $"the server log has no client-config-dir refusal for {env.Pki.Client2.CommonName}.\n"
                                             + server.Process.Describe(150));
            foreach (var part in new[] { $"{client2File}:3:", "'route 10.1.0.0 255.255.0.0'", "not supported in client-config-dir files" })
                Assert.True(refusal!.Contains(part, StringComparison.Ordinal), $"the refusal does not name \"{part}\": {refusal}");
        }

        // The refusal disturbed nobody: client1 still pings both ways ...
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, first, server, StaticAddress);

        // ... and the file is read again at each connection: once it holds only comments, client2 gets in
        // with the first pool address.
        await File.WriteAllTextAsync(client2File, "# client2: nothing special\n   # indented comment\n; semicolon comment\n");
        await using var secondAgain = await env.ConnectClientAsync(output,
            new ClientConfig { Identity = env.Pki.Client2, Device = "fvc1" }, secondSide);
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, secondAgain, server, Net.FirstClientAddress);
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, first, server, StaticAddress);
    }

    [Fact]
    public async Task Ccd_exclusive_refuses_a_client_without_a_file_and_admits_one_with_an_empty_file()
    {
        var secondSide = await env.Namespaces.ClientSideAsync(2);
        // client1's file is empty (0 bytes); no file for client2 and no DEFAULT.
        var ccd = WriteCcd("exclusive", (env.Pki.Client1.CommonName, []));
        await using var server = await StartServerAsync(ccd, ["ccd-exclusive"]);

        var mark = server.Log.Count;
        await using var second = env.StartClient(output, new ClientConfig { Identity = env.Pki.Client2, Device = "fvc1" }, secondSide);
        await using var first = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1, Device = "fvc0" });

        var refusal = await WaitForRefusalAsync(server, env.Pki.Client2.CommonName, mark, server.Kind switch
        {
            ServerKind.FleetVpn => [$"refused: no client-config-dir file for '{env.Pki.Client2.CommonName}' (ccd-exclusive)"],
            _ => ["client-config-dir authentication failed"],
        });
        await AssertNeverConnectsAsync(second);
        Assert.True(refusal is not null, $"the server log does not say that {env.Pki.Client2.CommonName} was refused for ccd-exclusive.\n"
                                         + server.Process.Describe(150));

        await TunnelAssertions.AssertConnectedAndPingingAsync(env, first, server, Net.FirstClientAddress);
    }

    /// <summary>Writes a client-config-dir of its own for one test: one file per (common name, lines).</summary>
    private string WriteCcd(string name, params (string CommonName, string[] Lines)[] files)
    {
        var directory = Path.Combine(env.TempDirectory, $"ccd-{name}");
        Directory.CreateDirectory(directory);
        foreach (var (commonName, lines) in files)
        {
            var path = Path.Combine(directory, commonName);
            File.WriteAllText(path, lines.Length == 0 ? "" : string.Join('\n', lines) + "\n");
            output.WriteLine($"ccd file {path}:\n{File.ReadAllText(path)}");
        }
        return directory;
    }

    private Task<ServerProcess> StartServerAsync(string ccd, string[]? extra = null) =>
        env.StartServerAsync(output, new ServerConfig { Extra = [$"client-config-dir {ccd}", .. extra ?? []] });

    /// <summary>
    /// The first line from <paramref name="mark"/> on that names <paramref name="commonName"/> and contains one of
    /// <paramref name="texts"/>, within <see cref="RefusalTimeout"/>; null when none came.
    /// </summary>
    private async Task<string?> WaitForRefusalAsync(ServerProcess server, string commonName, int mark, string[] texts)
    {
        var line = await server.Process.WaitForLineAsync(
            l => l.Contains(commonName, StringComparison.Ordinal) && texts.Any(t => l.Contains(t, StringComparison.Ordinal)),
            RefusalTimeout, mark);
        output.WriteLine($"refusal: {line ?? "(none)"}");
        return line;
    }

    /// <summary>A refused client never prints the connected line (bounded wait) and has no tunnel address.</summary>
    private async Task AssertNeverConnectsAsync(OpenVpnClient client)
    {
        var connected = await client.Process.WaitForTextAsync(OpenVpnClient.ConnectedLine, NotConnectedWait);
        Assert.True(connected is null, $"the refused client {client.Name} connected.\n{client.Process.Describe()}");
        await TunnelAssertions.AssertNotConnectedAsync(env, client);
        var authFailed = client.Log.Find(l => l.Contains("AUTH_FAILED", StringComparison.Ordinal));
        output.WriteLine($"{client.Name}: {authFailed ?? "(no AUTH_FAILED line)"}");
    }

    private async Task<string> ServerRoutesAsync()
    {
        var result = await Commands.Ip("-n", env.Namespaces.Server, "-4", "route", "show");
        Assert.True(result.Succeeded, result.ToString());
        return result.StandardOutput;
    }

    /// <summary>The line of `ip route show` output for destination <paramref name="prefix"/> (e.g. "10.99.0.0/16"), or null.</summary>
    private static string? RouteLine(string routes, string prefix) =>
        routes.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(prefix + " ", StringComparison.Ordinal));

    private static string DeviceOf(string routeLine) => DevicePattern().Match(routeLine) is { Success: true } m ? m.Groups[1].Value : "";

    [GeneratedRegex(@"\bdev (\S+)")]
    private static partial Regex DevicePattern();
}
