using System.Net;
using FleetVpn.Platform.Sockets;

namespace FleetVpn.Swarm;

/// <summary>
/// The UDP sockets of all simulated clients, in one epoll set drained by one dedicated thread into one shared buffer,
/// which hands each datagram to the client it belongs to. Nothing per client but a number:
/// <list type="bullet">
/// <item>with <see cref="SourceAddressPlan.OwnAddresses"/>, <see cref="SharedPorts"/> sockets bound to any address
/// carry every client; a client is told apart by its own source address, and its handle is the index of the shared
/// socket (the source port) it uses now: a reconnect moves it to the next one, a new source port as with <c>nobind</c>;</item>
/// <item>otherwise each client has its own connected socket, a bare file descriptor (the handle).</item>
/// </list>
/// </summary>
public sealed class SwarmSockets : IDisposable
{
    /// <summary>Shared sockets (source ports) when clients have their own addresses.</summary>
    public const int SharedPorts = 8;

    private readonly UdpSocketSet _set = new();
    private readonly IPEndPoint _remote;
    private readonly SourceAddressPlan _plan;
    private readonly SimulatedClient?[] _clients;
    private readonly int[] _shared = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _receiver;

    public SwarmSockets(IPEndPoint remote, int clients, SourceAddressPlan plan)
    {
        _remote = remote;
        _plan = plan;
        _clients = new SimulatedClient?[clients];
        if (plan.OwnAddresses)
        {
            _shared = new int[SharedPorts];
            for (int i = 0; i < _shared.Length; i++) _shared[i] = _set.OpenShared((uint)i);
        }
        _receiver = new Thread(() => _set.Run(Deliver, _stop.Token)) { IsBackground = true, Name = "swarm-receive" };
        _receiver.Start();
    }

    /// <summary>Makes <paramref name="client"/> the receiver of the datagrams for its index.</summary>
    public void Attach(SimulatedClient client) => _clients[client.Index] = client;

    /// <summary>
    /// A new source endpoint for client <paramref name="index"/>, different from <paramref name="previous"/> (-1: none):
    /// the next shared port, or a new connected socket (the previous one stays open until <see cref="Close"/>).
    /// Throws <see cref="IOException"/> with the system's reason.
    /// </summary>
    public int Open(int index, int previous)
    {
        if (_plan.OwnAddresses) return previous < 0 ? index % _shared.Length : (previous + 1) % _shared.Length;
        return _set.Open(_plan.For(index), _remote, (uint)index);
    }

    /// <summary>Gives the endpoint up (closes a connected socket; a shared port stays for the others).</summary>
    public void Close(int handle)
    {
        if (!_plan.OwnAddresses && handle >= 0) UdpSocketSet.Close(handle);
    }

    /// <summary>Sends one datagram from client <paramref name="index"/>'s endpoint; false when the system refused it (callers may ignore that: UDP).</summary>
    public bool Send(int index, int handle, ReadOnlySpan<byte> datagram)
    {
        if (handle < 0) return false;
        if (_plan.OwnAddresses) return UdpSocketSet.SendFrom(_shared[handle], _remote, _plan.OwnAddressOf(index), datagram);
        return UdpSocketSet.Send(handle, datagram);
    }

    /// <summary>The local port of an endpoint (0 when unknown).</summary>
    public int LocalPort(int handle) =>
        handle < 0 ? 0 : UdpSocketSet.LocalPort(_plan.OwnAddresses ? _shared[handle] : handle);

    private void Deliver(uint owner, int fd, uint localAddress, ReadOnlySpan<byte> datagram)
    {
        if (datagram.Length == 0) return;
        if (_plan.OwnAddresses)
        {
            int index = _plan.ClientOf(localAddress);
            if (index >= 0) _clients[index]?.OnDatagram((int)owner, datagram);
        }
        else if (owner < (uint)_clients.Length)
        {
            _clients[owner]?.OnDatagram(fd, datagram);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _receiver.Join();
        foreach (int fd in _shared) UdpSocketSet.Close(fd);
        _set.Dispose();
        _stop.Dispose();
    }
}
