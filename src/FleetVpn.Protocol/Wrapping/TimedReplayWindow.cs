using FleetVpn.Protocol.DataChannel;

namespace FleetVpn.Protocol.Wrapping;

/// <summary>
/// Receive-side replay check of the long-form (id, time) packet-id of tls-auth/tls-crypt in UDP
/// "backtrack" mode (<c>packet_id_test()</c>/<c>packet_id_add()</c> in packet_id.c, §3.2): id 0 is invalid;
/// a time older than the current one is refused; a newer time starts a new sequence; with the same time
/// a sliding window of 64 ids (<c>--replay-window 64</c>) refuses duplicates and ids too far behind.
/// OpenVPN's additional 15-second time bound on back-filling gaps needs a clock and is not applied.
/// Call <see cref="TryAccept"/> only after the packet authenticated. Not thread-safe: one per session
/// and direction, used by one thread at a time.
/// </summary>
public sealed class TimedReplayWindow
{
    public const int Size = ReplayWindow.Size;

    private ReplayWindow _ids;
    private uint _time;
    private bool _started;

    /// <summary>The time of the current sequence (0 before the first accepted packet).</summary>
    public uint Time => _time;

    /// <summary>The highest id accepted with <see cref="Time"/>.</summary>
    public uint HighestId => _ids.Highest;

    /// <summary>True (and recorded) if (<paramref name="packetId"/>, <paramref name="time"/>) is new; false for a replay.</summary>
    public bool TryAccept(uint packetId, uint time)
    {
        if (packetId == 0) return false;
        if (_started && time < _time) return false;
        if (!_started || time > _time)
        {
            _started = true;
            _time = time;
            _ids = default;
        }
        return _ids.TryAccept(packetId);
    }
}
