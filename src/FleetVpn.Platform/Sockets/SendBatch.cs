using System.Net;
using System.Runtime.InteropServices;
using FleetVpn.Platform.Native;
using static FleetVpn.Platform.Native.SocketCalls;

namespace FleetVpn.Platform.Sockets;

/// <summary>
/// Collects outgoing datagrams and sends them with one sendmmsg call (<see cref="Flush"/>), from buffers of its own
/// (native memory, allocated once). A full batch flushes itself; a datagram larger than a slot goes out at once.
/// One thread.
/// </summary>
public sealed unsafe class SendBatch : IDisposable
{
    private const int AddressSlot = 32;
    private readonly UdpPort _port;
    private readonly int _datagramBytes;
    private readonly MMsgHdr* _messages;
    private readonly IoVec* _iov;
    private readonly byte* _addresses;
    private readonly byte* _data;
    private int _count;

    public SendBatch(UdpPort port, int capacity, int datagramBytes)
    {
        _port = port;
        Capacity = capacity;
        _datagramBytes = datagramBytes;
        _messages = (MMsgHdr*)NativeMemory.AllocZeroed((nuint)(capacity * sizeof(MMsgHdr)));
        _iov = (IoVec*)NativeMemory.AllocZeroed((nuint)(capacity * sizeof(IoVec)));
        _addresses = (byte*)NativeMemory.AllocZeroed((nuint)(capacity * AddressSlot));
        _data = (byte*)NativeMemory.Alloc((nuint)capacity * (nuint)datagramBytes);
        for (int i = 0; i < capacity; i++)
        {
            _iov[i].Base = _data + (nint)i * datagramBytes;
            _messages[i].Header.Iov = &_iov[i];
            _messages[i].Header.IovLength = 1;
            _messages[i].Header.Name = _addresses + i * AddressSlot;
        }
    }

    public int Capacity { get; }

    /// <summary>Datagrams waiting for <see cref="Flush"/>.</summary>
    public int Pending => _count;

    /// <summary>Datagrams the kernel refused (send buffer full, no route): lost, as on a wire.</summary>
    public long Dropped { get; private set; }

    /// <summary>Queues a copy of <paramref name="datagram"/> for <paramref name="to"/>.</summary>
    public void Add(ReadOnlySpan<byte> datagram, SocketAddress to)
    {
        if (datagram.Length > _datagramBytes || to.Size > AddressSlot)
        {
            if (!_port.SendTo(datagram, to)) Dropped++;
            return;
        }
        if (_count == Capacity) Flush();
        int i = _count++;
        datagram.CopyTo(new Span<byte>(_iov[i].Base, _datagramBytes));
        _iov[i].Length = (nuint)datagram.Length;
        to.Buffer.Span[..to.Size].CopyTo(new Span<byte>(_addresses + i * AddressSlot, AddressSlot));
        _messages[i].Header.NameLength = (uint)to.Size;
    }

    /// <summary>Sends everything queued; returns how many the kernel took.</summary>
    public int Flush()
    {
        int sent = 0, refused = 0;
        while (sent < _count)
        {
            int n = SendMMsg(_port.Fd, _messages + sent, (uint)(_count - sent), MSG_DONTWAIT);
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

    private int _disposed;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        NativeMemory.Free(_messages);
        NativeMemory.Free(_iov);
        NativeMemory.Free(_addresses);
        NativeMemory.Free(_data);
    }
}
