using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace FleetVpn.Platform.Sockets;

/// <summary>
/// A peer's UDP address as the kernel gave it (Linux <c>sockaddr_in</c> or <c>sockaddr_in6</c>), kept inline in
/// 24 bytes: what a session stores and its table is keyed by, where a <see cref="SocketAddress"/> costs an object
/// and a byte array (about 90 bytes a client). Written back in the same form, so it suits the socket it came from.
/// </summary>
public readonly struct PeerAddress : IEquatable<PeerAddress>
{
    private const ushort AfInet = 2, AfInet6 = 10;
    private const int Inet4Size = 16, Inet6Size = 28;

    // The address bytes in network order (IPv4: the first four bytes of _high), the scope id (IPv6), the port, the family.
    private readonly ulong _high, _low;
    private readonly uint _scopeId;
    private readonly ushort _port;
    private readonly ushort _family;

    private PeerAddress(ulong high, ulong low, uint scopeId, ushort port, ushort family)
    {
        _high = high;
        _low = low;
        _scopeId = scopeId;
        _port = port;
        _family = family;
    }

    /// <summary>False for <c>default</c>: no address yet.</summary>
    public bool IsSet => _family != 0;

    public int Port => _port;

    /// <summary>Reads a Linux sockaddr (as recvmmsg or a <see cref="SocketAddress"/> holds it); default when it is neither IPv4 nor IPv6.</summary>
    public static PeerAddress FromSockaddr(ReadOnlySpan<byte> sockaddr)
    {
        if (sockaddr.Length < 2) return default;
        ushort family = BitConverter.ToUInt16(sockaddr); // host order, as the kernel writes it
        if (family == AfInet && sockaddr.Length >= Inet4Size)
            return new PeerAddress(BinaryPrimitives.ReadUInt32BigEndian(sockaddr[4..]), 0, 0,
                BinaryPrimitives.ReadUInt16BigEndian(sockaddr[2..]), AfInet);
        if (family == AfInet6 && sockaddr.Length >= Inet6Size)
            return new PeerAddress(BinaryPrimitives.ReadUInt64BigEndian(sockaddr[8..]), BinaryPrimitives.ReadUInt64BigEndian(sockaddr[16..]),
                BitConverter.ToUInt32(sockaddr[24..]), BinaryPrimitives.ReadUInt16BigEndian(sockaddr[2..]), AfInet6);
        return default;
    }

    public static PeerAddress From(SocketAddress address) => FromSockaddr(address.Buffer.Span[..address.Size]);

    /// <summary>Bytes <see cref="WriteTo"/> writes.</summary>
    public int SockaddrSize => _family == AfInet ? Inet4Size : Inet6Size;

    /// <summary>Writes the sockaddr (at least <see cref="SockaddrSize"/> bytes); returns its length.</summary>
    public int WriteTo(Span<byte> sockaddr)
    {
        int size = SockaddrSize;
        sockaddr[..size].Clear();
        BitConverter.TryWriteBytes(sockaddr, _family);
        BinaryPrimitives.WriteUInt16BigEndian(sockaddr[2..], _port);
        if (_family == AfInet)
        {
            BinaryPrimitives.WriteUInt32BigEndian(sockaddr[4..], (uint)_high);
        }
        else
        {
            BinaryPrimitives.WriteUInt64BigEndian(sockaddr[8..], _high);
            BinaryPrimitives.WriteUInt64BigEndian(sockaddr[16..], _low);
            BitConverter.TryWriteBytes(sockaddr[24..], _scopeId);
        }
        return size;
    }

    public SocketAddress ToSocketAddress()
    {
        var address = new SocketAddress(_family == AfInet ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6, SockaddrSize);
        WriteTo(address.Buffer.Span);
        return address;
    }

    /// <summary>
    /// Writes the address bytes in network order, an IPv4-mapped IPv6 address as IPv4 (as <see cref="ToEndPoint"/>
    /// shows it); returns their count, 4 or 16 (<paramref name="destination"/>: at least 16 bytes).
    /// </summary>
    public int WriteAddress(Span<byte> destination)
    {
        if (_family == AfInet || (_high == 0 && _low >> 32 == 0xFFFF))
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, _family == AfInet ? (uint)_high : (uint)_low);
            return 4;
        }
        BinaryPrimitives.WriteUInt64BigEndian(destination, _high);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _low);
        return 16;
    }

    /// <summary>The endpoint, an IPv4-mapped IPv6 address shown as IPv4 (logs, status files).</summary>
    public IPEndPoint ToEndPoint()
    {
        if (_family == AfInet) return new IPEndPoint(new IPAddress(BinaryPrimitives.ReverseEndianness((uint)_high)), _port);
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, _high);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], _low);
        var address = new IPAddress(bytes, _scopeId);
        return new IPEndPoint(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address, _port);
    }

    public override string ToString() => ToEndPoint().ToString();

    public bool Equals(PeerAddress other) =>
        _high == other._high && _low == other._low && _port == other._port && _family == other._family && _scopeId == other._scopeId;

    public override bool Equals(object? obj) => obj is PeerAddress other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_high, _low, _port, _scopeId);

    public static bool operator ==(PeerAddress left, PeerAddress right) => left.Equals(right);
    public static bool operator !=(PeerAddress left, PeerAddress right) => !left.Equals(right);
}
