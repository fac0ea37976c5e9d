namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Datagrams a server must shrug off: empty ones, random bytes, and truncated or corrupted
/// packets that look like OpenVPN (opcode byte = opcode &lt;&lt; 3 | key-id):
/// P_CONTROL_HARD_RESET_CLIENT_V2 (0x38) cut at every length, P_DATA_V2 (0x48) with random
/// peer-ids, and the other opcodes followed by noise. Deterministic for a given seed.
/// </summary>
public sealed class MalformedDatagrams(int seed)
{
    private const byte HardResetClientV2 = 7 << 3;  // P_CONTROL_HARD_RESET_CLIENT_V2
    private const byte DataV2 = 9 << 3;             // P_DATA_V2
    private const byte DataV1 = 6 << 3;             // P_DATA_V1

    private static readonly byte[] OtherOpcodes =
    [
        3 << 3,  // P_CONTROL_SOFT_RESET_V1
        4 << 3,  // P_CONTROL_V1
        5 << 3,  // P_ACK_V1
        8 << 3,  // P_CONTROL_HARD_RESET_SERVER_V2
        10 << 3, // P_CONTROL_HARD_RESET_CLIENT_V3
        11 << 3, // P_CONTROL_WKC_V1
        1 << 3,  // P_CONTROL_HARD_RESET_CLIENT_V1 (obsolete)
        0,       // no such opcode
        31 << 3, // no such opcode
    ];

    private readonly Random _random = new(seed);

    public int Seed { get; } = seed;

    /// <summary>The next datagram (possibly empty).</summary>
    public byte[] Next()
    {
        return _random.Next(10) switch
        {
            0 => [],
            1 => RandomBytes(_random.Next(1, 1400)),
            2 => WithOpcode((byte)(HardResetClientV2 | _random.Next(8)), _random.Next(0, 120)),
            3 => TruncatedHardReset(),
            4 => DataV2Packet(),
            5 => DataV2Packet(),
            6 => WithOpcode((byte)(DataV1 | _random.Next(8)), _random.Next(0, 200)),
            7 => WithOpcode((byte)(OtherOpcodes[_random.Next(OtherOpcodes.Length)] | _random.Next(8)), _random.Next(0, 200)),
            8 => [(byte)_random.Next(256)],
            _ => RandomBytes(_random.Next(1400, 4000)),
        };
    }

    /// <summary>0x38, random session id, empty ack array, packet-id 0, then cut at a random length (or extended with noise).</summary>
    private byte[] TruncatedHardReset()
    {
        var full = new byte[14];
        full[0] = HardResetClientV2;
        _random.NextBytes(full.AsSpan(1, 8)); // session id
        full[9] = 0;                            // ack array length
        // bytes 10..13: packet-id 0
        var length = _random.Next(1, 20);
        if (length <= full.Length) return full[..length];
        var longer = new byte[length];
        full.CopyTo(longer, 0);
        _random.NextBytes(longer.AsSpan(full.Length));
        return longer;
    }

    /// <summary>0x48 | key-id, a random 24-bit peer-id, then 0..300 random bytes (too short for a tag, or a forged one).</summary>
    private byte[] DataV2Packet() => WithOpcode((byte)(DataV2 | _random.Next(8)), 3 + _random.Next(0, 300));

    private byte[] WithOpcode(byte opcode, int randomTail)
    {
        var packet = new byte[1 + randomTail];
        packet[0] = opcode;
        _random.NextBytes(packet.AsSpan(1));
        return packet;
    }

    private byte[] RandomBytes(int length)
    {
        var packet = new byte[length];
        _random.NextBytes(packet);
        return packet;
    }
}
