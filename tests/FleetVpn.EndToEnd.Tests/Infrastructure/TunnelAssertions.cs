namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>Assertions about a tunnel between the real openvpn client and the server under test.</summary>
public static class TunnelAssertions
{
    /// <summary>
    /// The client is still running on its first connection (no restart since), its tun has the
    /// expected address, it pings the server's tunnel address, and the server's namespace pings it.
    /// </summary>
    public static async Task AssertConnectedAndPingingAsync(E2EFixture env, OpenVpnClient client, ServerProcess server,
        string expectedAddress = Net.FirstClientAddress)
    {
        Assert.False(server.HasExited, $"the server exited.\n{server.Process.Describe()}");
        AssertRunningOnFirstConnection(client);

        var addresses = await Net.Ipv4AddressesAsync(client.Namespace, client.Device);
        Assert.True(addresses.Contains($"{expectedAddress}/24"),
            $"client tun {client.Device} has [{string.Join(", ", addresses)}], expected {expectedAddress}/24.\n{client.Process.Describe()}");

        var ping = await Net.PingAsync(client.Namespace, Net.ServerTunnelAddress);
        Assert.True(ping.Succeeded, $"client namespace cannot ping {Net.ServerTunnelAddress} through the tunnel.\n{ping}\n{server.Process.Describe()}");

        var back = await Net.PingAsync(env.Namespaces.Server, expectedAddress);
        Assert.True(back.Succeeded, $"server namespace cannot ping the client at {expectedAddress}.\n{back}\n{server.Process.Describe()}");
    }

    /// <summary>The client is still running and still on its first connection: it connected once and never restarted (SIGUSR1).</summary>
    public static void AssertRunningOnFirstConnection(OpenVpnClient client)
    {
        Assert.False(client.Process.HasExited, $"the client exited.\n{client.Process.Describe()}");
        var connectedLines = client.Log.Lines.Count(l => l.Contains(OpenVpnClient.ConnectedLine, StringComparison.Ordinal));
        Assert.True(connectedLines == 1, $"client {client.Name} connected {connectedLines} times (expected once, no reconnect).\n{client.Process.Describe()}");
        var restart = client.Log.Find(l => l.Contains("SIGUSR1", StringComparison.Ordinal) || l.Contains("Restart pause", StringComparison.Ordinal));
        Assert.True(restart is null, $"client {client.Name} restarted its connection: \"{restart}\".\n{client.Process.Describe()}");
    }

    /// <summary>A refused client never completed its initialisation and has no tunnel address.</summary>
    public static async Task AssertNotConnectedAsync(E2EFixture env, OpenVpnClient client)
    {
        Assert.False(client.IsConnected,
            $"client {client.Name} should have been refused but connected.\n{client.Process.Describe()}");
        var addresses = await Net.Ipv4AddressesAsync(client.Namespace, client.Device);
        Assert.False(addresses.Any(a => a.StartsWith("10.8.", StringComparison.Ordinal)),
            $"refused client {client.Name} has a tunnel address on {client.Device}: [{string.Join(", ", addresses)}].\n{client.Process.Describe()}");
    }
}
