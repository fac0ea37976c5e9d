namespace FleetVpn.Protocol.DataChannel;

/// <summary>
/// Sliding replay window over 32-bit packet-ids (<c>packet_id.c</c>, default <c>--replay-window 64</c>):
/// id 0 is invalid, ids more than 64 behind the highest are refused, duplicates are refused.
/// Call <see cref="TryAccept"/> only after the packet authenticated.
/// </summary>
public struct ReplayWindow
{
    public const int Size = 64;

    private uint _highest;
    private ulong _seen; // bit i = (_highest - i) was seen

    public readonly uint Highest => _highest;

    public bool TryAccept(uint packetId)
    {
        if (packetId == 0) return false;
        if (packetId > _highest)
        {
            uint shift = packetId - _highest;
            _seen = shift >= Size ? 1UL : (_seen << (int)shift) | 1UL;
            _highest = packetId;
            return true;
        }
        uint back = _highest - packetId;
        if (back >= Size) return false;
        ulong bit = 1UL << (int)back;
        if ((_seen & bit) != 0) return false;
        _seen |= bit;
        return true;
    }
}
