using FleetVpn.Platform.Sockets;

namespace FleetVpn.Server.Sessions;

/// <summary>What <see cref="RemoteAddressIndex{T}"/> finds its entries by: the address they are at now.</summary>
public interface IRemotePeer
{
    PeerAddress RemoteAddress { get; }
}
