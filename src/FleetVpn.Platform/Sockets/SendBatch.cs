using System.Net;
using System.Runtime.InteropServices;
using static FleetVpn.Platform.Native.SocketCalls;

namespace FleetVpn.Platform.Sockets;

/// <summary>
/// Collects outgoing datagrams and sends them with one sendmmsg call (<see cref="Flush"/>), from buffers of its own
/// (native memory, allocated once). A full batch flushes itself; a datagram larger than a slot goes out at once.
/// One thread.
/// </summary>
public sealed unsafe class SendBatch : IDisposable
{
    private readonly UdpPort _port;
    private readonly MessageVector _vector;
    private int _count;

    public SendBatch(UdpPort port, int capacity, int datagramBytes)
    {
        _port = port;
        _vector = new MessageVector(capacity, datagramBytes);
    }

    public int Capacity => _vector.Capacity;

    /// <summary>Datagrams waiting for <see cref="Flush"/>.</summary>
    public int Pending => _count;

    /// <summary>Datagrams the kernel refused (send buffer full, no route): lost, as on a wire.</summary>
    public long Dropped { get; private set; }

    /// <summary>Queues a copy of <paramref name="datagram"/> for <paramref name="to"/> (an IPv4 or IPv6 sockaddr).</summary>
    public void Add(ReadOnlySpan<byte> datagram, SocketAddress to) => Add(datagram, PeerAddress.From(to));

    /// <summary>Queues a copy of <paramref name="datagram"/> for <paramref name="to"/>.</summary>
    public void Add(ReadOnlySpan<byte> datagram, in PeerAddress to)
    {
        if (datagram.Length > _vector.DatagramBytes || to.SockaddrSize > MessageVector.AddressSlot)
        {
            if (!_port.SendTo(datagram, to)) Dropped++;
            return;
        }
        if (_count == Capacity) Flush();
        int i = _count++;
        datagram.CopyTo(_vector.Buffer(i));
        _vector.Iov[i].Length = (nuint)datagram.Length;
        _vector.Messages[i].Header.NameLength = (uint)to.WriteTo(_vector.Address(i));
    }

    /// <summary>Sends everything queued; returns how many the kernel took.</summary>
    public int Flush()
    {
        int sent = 0, refused = 0;
        while (sent < _count)
        {
            int n = SendMMsg(_port.Fd, _vector.Messages + sent, (uint)(_count - sent), MSG_DONTWAIT);
            if (n > 0)
            {
                sent += n;
                continue;
            }
            if (n < 0 && Marshal.GetLastPInvokeError() == EINTR) continue;
            // The first remaining datagram was refused (full buffer, unreachable): drop it and go on with the rest.
            Dropped++;
            refused++;
            sent++;
        }
        _count = 0;
        return sent - refused;
    }

    public void Dispose() => _vector.Dispose();
}
