namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>The real openvpn 2.6 client, running in the client namespace with a generated config.</summary>
public sealed class OpenVpnClient : IAsyncDisposable
{
    /// <summary>What openvpn prints once the tunnel is up (tun configured, routes set).</summary>
    public const string ConnectedLine = "Initialization Sequence Completed";

    private OpenVpnClient(string ns, string name, string device, RunningProcess process)
    {
        Namespace = ns;
        Name = name;
        Device = device;
        Process = process;
    }

    /// <summary>The network namespace the client runs in.</summary>
    public string Namespace { get; }

    public string Name { get; }

    /// <summary>The client's tun device in the client namespace.</summary>
    public string Device { get; }

    public RunningProcess Process { get; }

    public LogCapture Log => Process.Log;

    public bool IsConnected => Log.Contains(ConnectedLine);

    public static OpenVpnClient Start(string ns, string name, string device, string configPath, string workingDirectory, ITestOutputHelper? output)
    {
        var process = RunningProcess.Start($"client {name}", Tools.Resolve("ip"),
            ["netns", "exec", ns, Tools.Resolve("openvpn"), "--config", configPath], workingDirectory, output);
        return new OpenVpnClient(ns, name, device, process);
    }

    /// <summary>Waits for <see cref="ConnectedLine"/>; throws with the client's log when it does not come in time.</summary>
    public async Task WaitConnectedAsync(TimeSpan timeout)
    {
        if (await Process.WaitForTextAsync(ConnectedLine, timeout) is null)
            throw new Xunit.Sdk.XunitException(
                $"The openvpn client {Name} did not print \"{ConnectedLine}\" within {timeout.TotalSeconds:0} s.\n{Process.Describe()}");
    }

    /// <summary>Stops the client by its PID now (SIGTERM, then SIGKILL).</summary>
    public Task StopAsync() => Process.StopAsync(TimeSpan.FromSeconds(5));

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
