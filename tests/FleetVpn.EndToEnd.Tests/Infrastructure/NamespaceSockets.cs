using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Creates sockets that live in a test namespace: a short-lived dedicated thread joins the
/// namespace with setns(2) (which changes only that thread), creates the socket and ends.
/// A socket keeps the namespace it was created in, so it can then be used from any thread.
/// </summary>
public static class NamespaceSockets
{
    public static Socket Create(string ns, AddressFamily family, SocketType type, ProtocolType protocol)
    {
        Socket? socket = null;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle($"/var/run/netns/{ns}", FileMode.Open, FileAccess.Read);
                if (LibC.setns((int)handle.DangerousGetHandle(), LibC.CLONE_NEWNET) != 0)
                    throw new InvalidOperationException($"setns into {ns} failed: errno {Marshal.GetLastPInvokeError()}");
                socket = new Socket(family, type, protocol);
            }
            catch (Exception e)
            {
                error = e;
            }
        })
        {
            IsBackground = true,
            Name = $"setns {ns}",
        };
        thread.Start();
        if (!thread.Join(TimeSpan.FromSeconds(10))) throw new TimeoutException($"creating a socket in {ns} hung");
        if (error is not null) throw new InvalidOperationException($"could not create a socket in namespace {ns}", error);
        return socket!;
    }

    public static Socket Udp(string ns) => Create(ns, AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

    public static Socket Tcp(string ns) => Create(ns, AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
}
