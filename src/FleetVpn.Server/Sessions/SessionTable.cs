using FleetVpn.Platform.Sockets;
using System.Net;

namespace FleetVpn.Server.Sessions;

/// <summary>
/// Finds a client's session by remote address (control and P_DATA_V1), by peer-id (P_DATA_V2)
/// and by tunnel address (packets from the tun). Peer-ids are indexes into an array, reused after a client leaves.
/// A peer-id names its worker (<see cref="PeerIdAllocator"/>).
/// </summary>
public sealed class SessionTable
{
    private readonly RemoteAddressIndex<ClientSession> _byAddress = new();
    private readonly TunnelAddressIndex _byVirtualAddress;
    private readonly CommonNameIndex _byCommonName = new();
    private readonly ClientSession?[] _byPeerId;
    private readonly PeerIdAllocator _peerIds;
    private readonly object _gate = new();
    private volatile IRouteEntry[] _iroutes = [];

    /// <summary>A subnet behind a client (`iroute` in its client-config-dir file).</summary>
    private sealed record IRouteEntry(uint Network, uint Mask, ClientSession Session);

    /// <param name="maxClients">Sessions in all.</param>
    /// <param name="workers">Workers the peer-ids are shared between.</param>
    /// <param name="tunnelAddresses">Where sessions are found by tunnel address (the pool's slots).</param>
    public SessionTable(int maxClients, int workers, TunnelAddressIndex tunnelAddresses)
    {
        _byVirtualAddress = tunnelAddresses;
        _peerIds = new PeerIdAllocator(maxClients, workers);
        _byPeerId = new ClientSession?[_peerIds.Capacity];
    }

    public int Count => _byAddress.Count;

    /// <summary>The index of the worker that owns <paramref name="peerId"/>.</summary>
    public int WorkerOf(int peerId) => _peerIds.WorkerOf(peerId);

    public IEnumerable<ClientSession> All => _byAddress.All();

    public ClientSession? ByAddress(SocketAddress address) => _byAddress.Get(PeerAddress.From(address));

    public ClientSession? ByPeerId(int peerId) => (uint)peerId < (uint)_byPeerId.Length ? Volatile.Read(ref _byPeerId[peerId]) : null;

    /// <summary>Peer-ids run 0 … this − 1 (max-clients and some room per worker); every session holds one.</summary>
    public int PeerIdCapacity => _byPeerId.Length;

    public ClientSession? ByVirtualAddress(uint address) => _byVirtualAddress.Get(address);

    /// <summary>The client a tunnel packet goes to: its own address first, then the longest matching iroute.</summary>
    public ClientSession? ByDestination(uint address)
    {
        if (_byVirtualAddress.Get(address) is { } session) return session;
        var routes = _iroutes;
        IRouteEntry? best = null;
        foreach (var r in routes)
            if ((address & r.Mask) == r.Network && (best is null || r.Mask > best.Mask)) best = r;
        return best?.Session;
    }

    /// <summary>Routes a subnet to a client; false if another client already owns that exact subnet.</summary>
    public bool TryAddIRoute(uint network, uint mask, ClientSession session)
    {
        lock (_gate)
        {
            if (_iroutes.Any(r => r.Network == network && r.Mask == mask && r.Session != session)) return false;
            _iroutes = [.. _iroutes, new IRouteEntry(network, mask, session)];
            return true;
        }
    }

    /// <summary>Registers a new session and gives it a peer-id; false when max-clients is reached.</summary>
    public bool TryAdd(ClientSession session)
    {
        lock (_gate)
        {
            if (!_peerIds.TryTake(session.Owner.Index, out int peerId)) return false;
            session.PeerId = peerId;
            Volatile.Write(ref _byPeerId[session.PeerId], session);
            _byAddress.Set(session);
            session.Owner.SessionAdded();
            return true;
        }
    }

    public void SetVirtualAddress(ClientSession session, uint address) => _byVirtualAddress.Set(address, session);

    /// <summary>
    /// Records <paramref name="session"/> as the holder of its common name and returns the session
    /// that held it before, if any (what `duplicate-cn` off replaces).
    /// </summary>
    public ClientSession? ClaimCommonName(ClientSession session)
    {
        lock (_gate)
        {
            var previous = _byCommonName.Set(session);
            return previous == session ? null : previous;
        }
    }

    /// <summary>Moves a session to a new remote address (float), after its packet authenticated.</summary>
    public void Move(ClientSession session, PeerAddress newAddress)
    {
        lock (_gate)
        {
            _byAddress.Remove(session, session.RemoteAddress);
            session.RemoteAddress = newAddress;
            _byAddress.Set(session);
        }
    }

    public void Remove(ClientSession session)
    {
        lock (_gate)
        {
            _byAddress.Remove(session, session.RemoteAddress);
            _byCommonName.Remove(session, session.CommonName);
            if (_iroutes.Any(r => r.Session == session)) _iroutes = _iroutes.Where(r => r.Session != session).ToArray();
            if (session.VirtualAddress != 0)
                _byVirtualAddress.Remove(session.VirtualAddress, session);
            if (session.PeerId >= 0 && ReferenceEquals(_byPeerId[session.PeerId], session))
            {
                Volatile.Write(ref _byPeerId[session.PeerId], null);
                _peerIds.Return(session.PeerId);
                session.Owner.SessionRemoved();
            }
        }
    }

    /// <summary>A copy of a receive buffer's address to keep as a dictionary key.</summary>
    public static SocketAddress Copy(SocketAddress address)
    {
        var copy = new SocketAddress(address.Family, address.Size);
        address.Buffer.Span[..address.Size].CopyTo(copy.Buffer.Span);
        return copy;
    }
}
