using System.Buffers.Binary;

namespace FleetVpn.Protocol.Wrapping;

/// <summary>
/// The 8-byte long-form packet-id of tls-auth/tls-crypt (§3.2, <c>packet_id_write()</c> with long_form):
/// <c>[packet_id: uint32 BE][time: uint32 BE]</c>. As a number, <see cref="Time"/> is the more significant part.
/// </summary>
public readonly record struct ReplayPacketId(uint Id, uint Time)
{
    public const int Size = 8;

    public static ReplayPacketId Read(ReadOnlySpan<byte> source) =>
        new(BinaryPrimitives.ReadUInt32BigEndian(source), BinaryPrimitives.ReadUInt32BigEndian(source[4..]));

    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, Id);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], Time);
    }
}
