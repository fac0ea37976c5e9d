using System.Net.Sockets;
using System.Text;
using FleetVpn.Platform.Hosting;

namespace FleetVpn.Platform.Tests;

/// <summary>sd_notify messages as systemd reads them from NOTIFY_SOCKET: one datagram of VARIABLE=value lines.</summary>
public sealed class SystemdNotifierTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("fleetvpn-notify-test-");
    private readonly Socket _systemd = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { ReceiveTimeout = 10_000 };
    private readonly string _path;

    public SystemdNotifierTests()
    {
        _path = Path.Combine(_directory.FullName, "notify");
        _systemd.Bind(new UnixDomainSocketEndPoint(_path));
    }

    public void Dispose()
    {
        _systemd.Dispose();
        _directory.Delete(recursive: true);
    }

    private string Receive()
    {
        var buffer = new byte[4096];
        return Encoding.UTF8.GetString(buffer, 0, _systemd.Receive(buffer));
    }

    [Fact]
    public void Each_state_is_one_datagram_of_lines()
    {
        using var notifier = new SystemdNotifier(_path);

        Assert.True(notifier.Ready());
        Assert.True(notifier.Ready("0 clients connected"));
        Assert.True(notifier.Status("12 clients connected"));
        Assert.True(notifier.Stopping());

        Assert.Equal("READY=1", Receive());
        Assert.Equal("READY=1\nSTATUS=0 clients connected", Receive());
        Assert.Equal("STATUS=12 clients connected", Receive());
        Assert.Equal("STOPPING=1", Receive());
    }

    [Fact]
    public void Reloading_carries_the_monotonic_clock_in_microseconds()
    {
        using var notifier = new SystemdNotifier(_path);
        long before = System.Diagnostics.Stopwatch.GetTimestamp() / (System.Diagnostics.Stopwatch.Frequency / 1_000_000);

        Assert.True(notifier.Reloading());

        var lines = Receive().Split('\n');
        Assert.Equal("RELOADING=1", lines[0]);
        Assert.StartsWith("MONOTONIC_USEC=", lines[1]);
        Assert.InRange(long.Parse(lines[1]["MONOTONIC_USEC=".Length..]), before, long.MaxValue);
        // The same clock as /proc/uptime (CLOCK_MONOTONIC counts from boot), so the value is below the uptime plus a margin.
        var uptimeSeconds = double.Parse(File.ReadAllText("/proc/uptime").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(long.Parse(lines[1]["MONOTONIC_USEC=".Length..]), 0, (long)((uptimeSeconds + 60) * 1_000_000));
    }

    [Fact]
    public void An_abstract_socket_name_starts_with_an_at_sign()
    {
        var name = $"fleetvpn-notify-test-{Guid.NewGuid():N}";
        using var systemd = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { ReceiveTimeout = 10_000 };
        systemd.Bind(new UnixDomainSocketEndPoint("\0" + name));
        using var notifier = new SystemdNotifier("@" + name);

        Assert.True(notifier.Ready());

        var buffer = new byte[64];
        Assert.Equal("READY=1", Encoding.UTF8.GetString(buffer, 0, systemd.Receive(buffer)));
    }

    [Fact]
    public void A_missing_socket_costs_a_counted_failure_not_an_exception()
    {
        using var notifier = new SystemdNotifier(Path.Combine(_directory.FullName, "gone"));

        Assert.False(notifier.Ready());
        Assert.False(notifier.Stopping());
        Assert.Equal(2, notifier.Failures);
    }
}
