namespace FleetVpn.Server.Sessions;

/// <summary>
/// What a finished negotiation leaves once its TLS session and reliable link are released (the idle state of a
/// connected client), kept inline in the session (16 bytes) instead of the <see cref="KeyNegotiation"/> object (72):
/// its key-id, when the server renegotiates, and what tells a late retransmission from the client's EXIT.
/// </summary>
internal readonly struct ReleasedNegotiation
{
    private readonly byte _keyIdPlusOne; // 0: nothing released
    private readonly ushort _exitRecordLength; // 0: unknown
    public ReleasedNegotiation(KeyNegotiation released)
    {
        _keyIdPlusOne = (byte)(released.KeyId + 1);
        _exitRecordLength = (ushort)Math.Clamp(released.ExitRecordLength, 0, ushort.MaxValue);
        NextExpected = released.ReleasedNextExpected;
        RenegotiateAtMs = released.RenegotiateAtMs;
    }

    /// <summary>False for <c>default</c>: the session holds no released negotiation.</summary>
    public bool IsSet => _keyIdPlusOne != 0;

    public int KeyId => _keyIdPlusOne - 1;

    /// <summary><see cref="KeyNegotiation.ReleasedNextExpected"/>.</summary>
    public uint NextExpected { get; }

    /// <summary><see cref="KeyNegotiation.ExitRecordLength"/>; -1 when unknown.</summary>
    public int ExitRecordLength => _exitRecordLength == 0 ? -1 : _exitRecordLength;

    /// <summary><see cref="KeyNegotiation.RenegotiateAtMs"/>.</summary>
    public long RenegotiateAtMs { get; }
}
