using System.Net.Sockets;
using System.Text;

namespace FleetVpn.Platform.Hosting;

/// <summary>
/// sd_notify(3) without libsystemd: state lines ("READY=1", "STATUS=...", "STOPPING=1", "RELOADING=1") sent as one
/// datagram to the unix socket systemd names in NOTIFY_SOCKET (a path, or an abstract name written with a leading
/// '@'). Sends never block and never throw: a service manager that went away costs nothing but the lost state.
/// </summary>
public sealed class SystemdNotifier : IDisposable
{
    public const string SocketVariable = "NOTIFY_SOCKET";

    private readonly Socket _socket;
    private readonly UnixDomainSocketEndPoint _target;
    private readonly object _gate = new();

    /// <param name="socketPath">NOTIFY_SOCKET's value: a filesystem path, or '@' and an abstract socket name.</param>
    public SystemdNotifier(string socketPath)
    {
        SocketPath = socketPath;
        _target = new UnixDomainSocketEndPoint(ToEndPointPath(socketPath));
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { Blocking = false };
    }

    public string SocketPath { get; }

    /// <summary>Failed sends (the socket is gone, or its queue was full).</summary>
    public long Failures { get; private set; }

    /// <summary>The notifier NOTIFY_SOCKET asks for, or null when the process does not run under a service manager that wants one.</summary>
    public static SystemdNotifier? FromEnvironment() =>
        Environment.GetEnvironmentVariable(SocketVariable) is { Length: > 0 } path && (path[0] is '/' or '@') ? new SystemdNotifier(path) : null;

    /// <summary>"READY=1": the service is up (sockets bound, tun open).</summary>
    public bool Ready(string? status = null) => Send(status is null ? "READY=1" : $"READY=1\nSTATUS={status}");

    /// <summary>"STATUS=...": a line `systemctl status` shows.</summary>
    public bool Status(string status) => Send($"STATUS={status}");

    /// <summary>"STOPPING=1": the service is shutting down.</summary>
    public bool Stopping() => Send("STOPPING=1");

    /// <summary>
    /// "RELOADING=1" with the CLOCK_MONOTONIC time in microseconds, which systemd 253+ wants with it
    /// (Type=notify-reload); a "READY=1" ends the reload.
    /// </summary>
    public bool Reloading() => Send($"RELOADING=1\nMONOTONIC_USEC={MonotonicMicroseconds()}");

    /// <summary>Sends <paramref name="state"/> (newline-separated VARIABLE=value lines) as one datagram; false when it could not.</summary>
    public bool Send(string state)
    {
        var datagram = Encoding.UTF8.GetBytes(state);
        lock (_gate)
        {
            try
            {
                _socket.SendTo(datagram, SocketFlags.None, _target);
                return true;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                Failures++;
                return false;
            }
        }
    }

    public void Dispose()
    {
        lock (_gate) _socket.Dispose();
    }

    /// <summary>sd_notify's address rule: '@' at the start names an abstract socket (a NUL byte on the wire).</summary>
    private static string ToEndPointPath(string socketPath) => socketPath[0] == '@' ? "\0" + socketPath[1..] : socketPath;

    /// <summary>CLOCK_MONOTONIC in microseconds (Stopwatch reads it on Linux).</summary>
    private static long MonotonicMicroseconds() =>
        System.Diagnostics.Stopwatch.GetTimestamp() / (System.Diagnostics.Stopwatch.Frequency / 1_000_000);
}
