using FleetVpn.Protocol.DataChannel;
using FleetVpn.Protocol.Messages;
using FleetVpn.Server.Config;
using FleetVpn.Server.Routing;

namespace FleetVpn.Server.Sessions;

/// <summary>
/// The PUSH_REPLY a 2.6 server sends for `topology subnet`, in its order (§6.1), minus what
/// FleetVPN does not do: no `tls-ekm` (SslStream has no RFC 5705 exporter) and no `dyn-tls-crypt`.
/// </summary>
public static class PushReplyFactory
{
    public static IReadOnlyList<string> Build(ServerOptions o, AddressPool pool, uint clientAddress, uint netmask, int? peerId,
        PeerInfo peer, DataCipher cipher, ClientConfig? ccd = null)
    {
        var options = new List<string>
        {
            $"route-gateway {AddressPool.ToAddress(pool.ServerAddress)}",
            "topology subnet",
        };
        if (o.KeepalivePing > 0)
        {
            options.Add($"ping {o.KeepalivePing}");
            options.Add($"ping-restart {o.KeepaliveRestart}");
        }
        options.Add($"ifconfig {AddressPool.ToAddress(clientAddress)} {AddressPool.ToAddress(netmask)}");
        if (peerId is { } id) options.Add($"peer-id {id}");
        if (peer.Ncp >= 2 || peer.Ciphers is not null) options.Add($"cipher {cipher.Name}");
        if (peer.Has(PeerInfo.ProtoCcExitNotify)) options.Add("protocol-flags cc-exit");
        if (peer.Mtu > 0) options.Add($"tun-mtu {o.TunMtu}");
        // The server's `push` options, unless the client's ccd file says push-reset; then the ccd's own.
        if (ccd is not { PushReset: true }) options.AddRange(o.Push);
        if (ccd is not null) options.AddRange(ccd.Push);
        return PushReplyBuilder.Build(options);
    }
}
