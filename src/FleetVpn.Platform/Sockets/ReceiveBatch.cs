using System.Net;
using System.Runtime.InteropServices;
using FleetVpn.Platform.Native;
using static FleetVpn.Platform.Native.SocketCalls;

namespace FleetVpn.Platform.Sockets;

/// <summary>
/// Receives up to <see cref="Capacity"/> datagrams with one recvmmsg call into buffers of its own (native memory,
/// allocated once). The datagrams and their sources are valid until the next <see cref="Receive"/>. One thread.
/// </summary>
public sealed unsafe class ReceiveBatch : IDisposable
{
    private readonly MessageVector _vector;

    public ReceiveBatch(int capacity, int datagramBytes) => _vector = new MessageVector(capacity, datagramBytes);

    public int Capacity => _vector.Capacity;

    /// <summary>
    /// Takes what is waiting on <paramref name="port"/>, without blocking: the number of datagrams (0: none).
    /// Throws only for errors other than "nothing there" and a signal.
    /// </summary>
    public int Receive(UdpPort port)
    {
        var messages = _vector.Messages;
        for (int i = 0; i < Capacity; i++)
        {
            messages[i].Header.NameLength = MessageVector.AddressSlot;
            messages[i].Header.Flags = 0;
        }
        int n = RecvMMsg(port.Fd, messages, (uint)Capacity, MSG_DONTWAIT, null);
        if (n >= 0) return n;
        int errno = Marshal.GetLastPInvokeError();
        if (errno is LibC.EAGAIN or LibC.EINTR or ECONNREFUSED) return 0;
        throw PlatformErrors.Last("recvmmsg");
    }

    /// <summary>The i-th datagram of the last <see cref="Receive"/>.</summary>
    public ReadOnlySpan<byte> Datagram(int i) => _vector.Buffer(i)[..(int)_vector.Messages[i].Length];

    /// <summary>True when the i-th datagram was larger than a buffer and was cut (it is to be dropped).</summary>
    public bool Truncated(int i) => (_vector.Messages[i].Header.Flags & MSG_TRUNC) != 0;

    /// <summary>Copies the i-th datagram's source into <paramref name="into"/> (its family must be the port's).</summary>
    public void CopySource(int i, SocketAddress into)
    {
        int length = Math.Min((int)_vector.Messages[i].Header.NameLength, Math.Min(MessageVector.AddressSlot, into.Buffer.Length));
        _vector.Address(i)[..length].CopyTo(into.Buffer.Span);
        into.Size = length;
    }

    public void Dispose() => _vector.Dispose();
}
