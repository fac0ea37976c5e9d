using FleetVpn.Platform.Sockets;

namespace FleetVpn.Server.Sessions;

/// <summary>
/// The sessions by remote UDP address, keyed by each entry's own <see cref="IRemotePeer.RemoteAddress"/> (a float
/// moves an entry: remove, change the address, set again).
/// </summary>
public sealed class RemoteAddressIndex<T> : OpenAddressingIndex<T, PeerAddress> where T : class, IRemotePeer
{
    protected override PeerAddress KeyOf(T entry) => entry.RemoteAddress;
}
