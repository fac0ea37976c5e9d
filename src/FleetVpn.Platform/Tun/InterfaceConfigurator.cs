using System.Diagnostics;
using System.Net;

namespace FleetVpn.Platform.Tun;

/// <summary>
/// Gives a device its address, mask and MTU and brings it up, with iproute2 (`ip`), as OpenVPN
/// does on Linux. The tunnel subnet route comes with the address (subnet topology).
/// </summary>
public static class InterfaceConfigurator
{
    public static void Configure(string device, IPAddress address, int prefixLength, int mtu)
    {
        Run("addr", "replace", $"{address}/{prefixLength}", "dev", device);
        Run("link", "set", "dev", device, "mtu", mtu.ToString(), "up");
    }

    /// <summary>Routes a subnet into the device (a client's `iroute`, or a static address outside the tunnel subnet).</summary>
    public static void AddRoute(string device, IPAddress network, int prefixLength) =>
        Run("route", "replace", $"{network}/{prefixLength}", "dev", device);

    public static void DeleteRoute(string device, IPAddress network, int prefixLength) =>
        Run("route", "del", $"{network}/{prefixLength}", "dev", device);

    private static void Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new IOException("cannot start ip");
        string error = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new IOException($"ip {string.Join(' ', arguments)} failed: {error.Trim()}");
    }
}
