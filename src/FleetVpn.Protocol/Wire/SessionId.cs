using System.Buffers.Binary;
using System.Security.Cryptography;

namespace FleetVpn.Protocol.Wire;

/// <summary>An 8-byte control-channel session id (<c>session_id.h</c>); all-zero is invalid.</summary>
public readonly record struct SessionId(ulong Value)
{
    public const int Size = 8;

    public bool IsValid => Value != 0;

    public static SessionId Read(ReadOnlySpan<byte> source) => new(BinaryPrimitives.ReadUInt64BigEndian(source));

    public void Write(Span<byte> destination) => BinaryPrimitives.WriteUInt64BigEndian(destination, Value);

    public static SessionId NewRandom()
    {
        Span<byte> b = stackalloc byte[Size];
        do RandomNumberGenerator.Fill(b); while (BinaryPrimitives.ReadUInt64BigEndian(b) == 0);
        return Read(b);
    }

    public override string ToString() => Value.ToString("x16");
}
