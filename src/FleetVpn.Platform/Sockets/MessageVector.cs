using System.Runtime.InteropServices;
using static FleetVpn.Platform.Native.SocketCalls;

namespace FleetVpn.Platform.Sockets;

/// <summary>
/// The native memory of one recvmmsg/sendmmsg call, allocated once: a <c>struct mmsghdr</c> per message, each with
/// one buffer of its own and room for a peer address (sockaddr_in6 or smaller).
/// </summary>
internal sealed unsafe class MessageVector : IDisposable
{
    /// <summary>sockaddr_in6 is 28 bytes; room for any address a UDP port reports.</summary>
    public const int AddressSlot = 32;

    public MessageVector(int capacity, int datagramBytes)
    {
        Capacity = capacity;
        DatagramBytes = datagramBytes;
        Messages = (MMsgHdr*)NativeMemory.AllocZeroed((nuint)(capacity * sizeof(MMsgHdr)));
        Iov = (IoVec*)NativeMemory.AllocZeroed((nuint)(capacity * sizeof(IoVec)));
        Addresses = (byte*)NativeMemory.AllocZeroed((nuint)(capacity * AddressSlot));
        Data = (byte*)NativeMemory.Alloc((nuint)capacity * (nuint)datagramBytes);
        for (int i = 0; i < capacity; i++)
        {
            Iov[i] = new IoVec { Base = Data + (nint)i * datagramBytes, Length = (nuint)datagramBytes };
            Messages[i].Header.Iov = &Iov[i];
            Messages[i].Header.IovLength = 1;
            Messages[i].Header.Name = Addresses + i * AddressSlot;
        }
    }

    public int Capacity { get; }
    public int DatagramBytes { get; }
    public MMsgHdr* Messages { get; }
    public IoVec* Iov { get; }
    public byte* Addresses { get; }
    public byte* Data { get; }

    /// <summary>The buffer of message <paramref name="i"/>, whole.</summary>
    public Span<byte> Buffer(int i) => new(Data + (nint)i * DatagramBytes, DatagramBytes);

    /// <summary>The address slot of message <paramref name="i"/>, whole.</summary>
    public Span<byte> Address(int i) => new(Addresses + i * AddressSlot, AddressSlot);

    private int _disposed;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        NativeMemory.Free(Messages);
        NativeMemory.Free(Iov);
        NativeMemory.Free(Addresses);
        NativeMemory.Free(Data);
    }
}
