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
    /// <summary>sockaddr_in6 is 28 bytes; room for any address the port can report.</summary>
    private const int AddressSlot = 32;
    private readonly int _datagramBytes;
    private readonly MMsgHdr* _messages;
    private readonly IoVec* _iov;
    private readonly byte* _addresses;
    private readonly byte* _data;

    public ReceiveBatch(int capacity, int datagramBytes)
    {
        Capacity = capacity;
        _datagramBytes = datagramBytes;
        _messages = (MMsgHdr*)NativeMemory.AllocZeroed((nuint)(capacity * sizeof(MMsgHdr)));
        _iov = (IoVec*)NativeMemory.AllocZeroed((nuint)(capacity * sizeof(IoVec)));
        _addresses = (byte*)NativeMemory.AllocZeroed((nuint)(capacity * AddressSlot));
        _data = (byte*)NativeMemory.Alloc((nuint)capacity * (nuint)datagramBytes);
        for (int i = 0; i < capacity; i++)
        {
            _iov[i] = new IoVec { Base = _data + (nint)i * datagramBytes, Length = (nuint)datagramBytes };
            _messages[i].Header.Iov = &_iov[i];
            _messages[i].Header.IovLength = 1;
            _messages[i].Header.Name = _addresses + i * AddressSlot;
        }
    }

    public int Capacity { get; }

    /// <summary>
    /// Takes what is waiting on <paramref name="port"/>, without blocking: the number of datagrams (0: none).
    /// Throws only for errors other than "nothing there" and a signal.
    /// </summary>
    public int Receive(UdpPort port)
    {
        for (int i = 0; i < Capacity; i++)
        {
            _messages[i].Header.NameLength = AddressSlot;
            _messages[i].Header.Flags = 0;
        }
        int n = RecvMMsg(port.Fd, _messages, (uint)Capacity, MSG_DONTWAIT, null);
        if (n >= 0) return n;
        int errno = Marshal.GetLastPInvokeError();
        if (errno is LibC.EAGAIN or LibC.EINTR or ECONNREFUSED) return 0;
        throw PlatformErrors.Last("recvmmsg");
    }

    /// <summary>The i-th datagram of the last <see cref="Receive"/>.</summary>
    public ReadOnlySpan<byte> Datagram(int i) => new(_data + (nint)i * _datagramBytes, (int)_messages[i].Length);

    /// <summary>True when the i-th datagram was larger than a buffer and was cut (it is to be dropped).</summary>
    public bool Truncated(int i) => (_messages[i].Header.Flags & MSG_TRUNC) != 0;

    /// <summary>Copies the i-th datagram's source into <paramref name="into"/> (its family must be the port's).</summary>
    public void CopySource(int i, SocketAddress into)
    {
        int length = (int)_messages[i].Header.NameLength;
        new ReadOnlySpan<byte>(_addresses + i * AddressSlot, Math.Min(length, AddressSlot)).CopyTo(into.Buffer.Span);
        into.Size = Math.Min(length, into.Buffer.Length);
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
