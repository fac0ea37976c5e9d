using System.Net;
using System.Net.Sockets;
using FleetVpn.ControlChannel;
using FleetVpn.Platform.Tun;
using FleetVpn.Protocol.Wrapping;
using FleetVpn.Server.Config;
using FleetVpn.Server.Diagnostics;
using FleetVpn.Server.Logging;
using FleetVpn.Server.Routing;
using FleetVpn.Server.Sessions;

namespace FleetVpn.Server;

/// <summary>What every part of the engine shares: options, log, counters, socket, tun, pool and sessions.</summary>
public sealed class ServerContext
{
    public ServerContext(ServerOptions options, ServerLog log, Socket socket, TunDevice tun)
    {
        Options = options;
        Log = log;
        Socket = socket;
        Tun = tun;
        Pool = new AddressPool(options.ServerNetwork, options.ServerNetmask);
        Sessions = new SessionTable(options.MaxClients);
        Cookie = new SessionCookie(options.HandWindowSeconds);
        Tls = new ServerTlsSettings(
            options.ServerCertificate ?? throw new InvalidOperationException("no server certificate"),
            options.CaCertificates, options.RemoteCertTlsClient);
    }

    public ServerOptions Options { get; }
    public ServerLog Log { get; }
    public ServerCounters Counters { get; } = new();
    public Socket Socket { get; }
    public TunDevice Tun { get; }
    public AddressPool Pool { get; }
    public SessionTable Sessions { get; }
    public SessionCookie Cookie { get; }
    public ServerTlsSettings Tls { get; }

    /// <summary>Milliseconds on a monotonic clock.</summary>
    public static long NowMs => Environment.TickCount64;

    public static long UnixSeconds => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public void Send(ReadOnlySpan<byte> datagram, SocketAddress to)
    {
        try
        {
            Socket.SendTo(datagram, SocketFlags.None, to);
        }
        catch (SocketException e)
        {
            Log.Write(4, $"send to {to} failed: {e.SocketErrorCode}", "send-failed");
        }
        catch (ObjectDisposedException)
        {
            // shutting down
        }
    }

    /// <summary>An <see cref="IPEndPoint"/> for a received address (IPv4, or IPv6 from a dual-mode socket).</summary>
    public static IPEndPoint ToEndPoint(SocketAddress address) =>
        (IPEndPoint)new IPEndPoint(address.Family == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0).Create(address);

    public static string Describe(IPEndPoint endPoint) =>
        endPoint.Address.IsIPv4MappedToIPv6 ? $"{endPoint.Address.MapToIPv4()}:{endPoint.Port}" : endPoint.ToString();
}
