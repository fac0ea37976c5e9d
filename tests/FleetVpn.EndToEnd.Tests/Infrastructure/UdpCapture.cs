using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Records the IPv4 UDP datagrams sent to one port in a test namespace (an AF_PACKET socket: every interface, both
/// directions), so that a test can send one of them again, byte for byte and from its original address and port,
/// through a raw IP socket (<see cref="Inject"/>). Bounded: at most <see cref="MaxPackets"/> are kept.
/// </summary>
public sealed class UdpCapture : IDisposable
{
    public const int MaxPackets = 10_000;
    private const int EthPAllNetworkOrder = 0x0300; // htons(ETH_P_ALL)
    private const int IpProtoRaw = 255;

    private readonly Socket _socket;
    private readonly int _port;
    private readonly Thread _thread;
    private readonly List<byte[]> _packets = new();
    private volatile bool _stopped;

    public UdpCapture(string ns, int destinationPort)
    {
        _port = destinationPort;
        _socket = NamespaceSockets.Create(ns, AddressFamily.Packet, SocketType.Raw, (ProtocolType)EthPAllNetworkOrder);
        _socket.ReceiveTimeout = 200;
        _thread = new Thread(Run) { IsBackground = true, Name = "udp capture" };
        _thread.Start();
    }

    /// <summary>The IPv4 packets (header included) captured so far, in order.</summary>
    public IReadOnlyList<byte[]> Packets
    {
        get { lock (_packets) return _packets.ToList(); }
    }

    /// <summary>The UDP payload of a captured IPv4 packet.</summary>
    public static ReadOnlySpan<byte> Payload(byte[] ipPacket) => ipPacket.AsSpan(((ipPacket[0] & 0x0F) * 4) + 8);

    /// <summary>
    /// Sends a captured IPv4 packet again from <paramref name="ns"/> as it was (IPPROTO_RAW: the header is ours), with
    /// its UDP checksum cleared: a captured outgoing packet may hold only the partial sum the NIC was to complete.
    /// </summary>
    public static void Inject(string ns, byte[] ipPacket)
    {
        var copy = (byte[])ipPacket.Clone();
        int udp = (copy[0] & 0x0F) * 4;
        copy[udp + 6] = 0;
        copy[udp + 7] = 0;
        var destination = new IPAddress(copy.AsSpan(16, 4));
        using var raw = NamespaceSockets.Create(ns, AddressFamily.InterNetwork, SocketType.Raw, (ProtocolType)IpProtoRaw);
        raw.SendTo(copy, new IPEndPoint(destination, 0));
    }

    private void Run()
    {
        var frame = new byte[65536];
        while (!_stopped)
        {
            int n;
            try
            {
                n = _socket.Receive(frame);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
            {
                continue;
            }
            catch (Exception) when (_stopped)
            {
                return;
            }
            if (TryUdpToPort(frame.AsSpan(0, n), out var ip))
            {
                lock (_packets)
                {
                    if (_packets.Count < MaxPackets) _packets.Add(ip.ToArray());
                }
            }
        }
    }

    /// <summary>The IPv4 packet of an Ethernet frame (veth) or a bare IP packet (tun), if it is UDP to the port.</summary>
    private bool TryUdpToPort(ReadOnlySpan<byte> frame, out ReadOnlySpan<byte> ip)
    {
        ip = frame.Length >= 34 && BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) == 0x0800 && frame[14] >> 4 == 4 ? frame[14..]
            : frame.Length >= 20 && frame[0] >> 4 == 4 ? frame
            : default;
        if (ip.Length < 28 || ip[9] != 17) return false;
        int total = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
        if (total > ip.Length || total < 28) return false;
        ip = ip[..total];
        int udp = (ip[0] & 0x0F) * 4;
        return ip.Length >= udp + 8 && BinaryPrimitives.ReadUInt16BigEndian(ip[(udp + 2)..]) == _port;
    }

    public void Dispose()
    {
        _stopped = true;
        _thread.Join(TimeSpan.FromSeconds(2));
        _socket.Dispose();
    }
}
