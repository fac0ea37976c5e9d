using System.Net;
using FleetVpn.Platform.Sockets;

namespace FleetVpn.Swarm;

/// <summary>
/// The UDP sockets of all simulated clients: one epoll set drained by one dedicated thread into one shared buffer,
/// which hands each datagram to the client that owns the socket. A client's socket is a bare file descriptor,
/// so an idle client costs no receive buffer, no pending operation and no <see cref="System.Net.Sockets.Socket"/>.
/// </summary>
public sealed class SwarmSockets : IDisposable
{
    private readonly UdpSocketSet _set = new();
    private readonly SimulatedClient?[] _clients;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _receiver;

    public SwarmSockets(int clients)
    {
        _clients = new SimulatedClient?[clients];
        _receiver = new Thread(() => _set.Run(Deliver, _stop.Token)) { IsBackground = true, Name = "swarm-receive" };
        _receiver.Start();
    }

    /// <summary>Makes <paramref name="client"/> the receiver of the datagrams on the sockets it opens.</summary>
    public void Attach(SimulatedClient client) => _clients[client.Index] = client;

    /// <summary>Opens a socket for client <paramref name="index"/>; throws <see cref="IOException"/> with the system's reason.</summary>
    public int Open(IPAddress? source, IPEndPoint remote, int index) => _set.Open(source, remote, (uint)index);

    private void Deliver(uint owner, int fd, ReadOnlySpan<byte> datagram)
    {
        if (owner < (uint)_clients.Length && datagram.Length > 0) _clients[owner]?.OnDatagram(fd, datagram);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _receiver.Join();
        _set.Dispose();
        _stop.Dispose();
    }
}
