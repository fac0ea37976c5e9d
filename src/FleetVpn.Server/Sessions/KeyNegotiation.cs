using FleetVpn.ControlChannel;
using FleetVpn.Protocol.Reliability;

namespace FleetVpn.Server.Sessions;

/// <summary>
/// One key-id's negotiation: its reliable control link and TLS session. Key-id 0 starts with the
/// hard reset; each renegotiation (P_CONTROL_SOFT_RESET_V1) starts a new one with the next key-id.
/// Only the newest negotiation carries control traffic. Once the handshake is over and everything it sent was
/// acknowledged, the TLS session and the reliable link are both released, and the session keeps a
/// <see cref="ReleasedNegotiation"/> (16 bytes inline) instead of this object: an idle client holds no negotiation.
/// </summary>
public sealed class KeyNegotiation
{
    public KeyNegotiation(ReliableLink link, TlsServerChannel tls, bool isInitial)
    {
        Link = link;
        KeyId = link.KeyId;
        Tls = tls;
        IsInitial = isInitial;
    }

    public int KeyId { get; }

    /// <summary>The reliable control link; null once released with the TLS session.</summary>
    public ReliableLink? Link { get; private set; }

    /// <summary>The TLS session; null once released after the handshake (an idle client holds no TLS object).</summary>
    public TlsServerChannel? Tls { get; private set; }

    public bool IsInitial { get; }

    /// <summary>When (monotonic ms) the TLS session may be released: set once the handshake's last message went out.</summary>
    public long ReleaseTlsAtMs { get; set; } = long.MaxValue;

    /// <summary>True once <see cref="ReleaseTls"/> ran: later errors of the old TLS task are expected.</summary>
    public bool TlsReleased { get; private set; }

    /// <summary>Drops the TLS session; the reliable link stays to acknowledge late retransmissions.</summary>
    public void ReleaseTls()
    {
        var tls = Tls;
        if (tls is null) return;
        TlsReleased = true;
        ExitRecordLength = tls.RecordLength(ExitMessage.Length);
        Tls = null;
        _ = tls.DisposeAsync().AsTask();
    }

    /// <summary>Drops the TLS session and the reliable link: the idle state of a connected client.</summary>
    public void Release()
    {
        ReleaseTls();
        if (Link is { } link) ReleasedNextExpected = link.Receiver.NextExpected;
        Link = null;
        // Its tasks end with the TLS session; the source goes with them (an idle client keeps no registrations).
        _stop = null;
    }

    /// <summary>
    /// The message-id the link expected next when it was released: a control packet with a lower one is a
    /// retransmission of something already received (its ACK was lost), not a new message.
    /// </summary>
    public uint ReleasedNextExpected { get; private set; }

    /// <summary>"EXIT" and its NUL, the one message a 2.6 client sends on an idle control channel (cc-exit).</summary>
    private static ReadOnlySpan<byte> ExitMessage => "EXIT\0"u8;

    /// <summary>
    /// The size of the TLS record that carries <see cref="ExitMessage"/> in the released session (AEAD suites), or -1
    /// when unknown: after the release a new control message of exactly this size is the client's EXIT.
    /// </summary>
    public int ExitRecordLength { get; private set; } = -1;

    private CancellationTokenSource? _stop = new();

    /// <summary>Cancelled when the session closes: ends this negotiation's tasks. Already cancelled once released.</summary>
    public CancellationToken Stopping => _stop?.Token ?? new CancellationToken(canceled: true);

    /// <summary>Stops this negotiation's tasks (the session is closing). Call outside the session lock: callbacks run inline.</summary>
    public void Cancel() => _stop?.Cancel();

    /// <summary>Set once its data keys are installed; renegotiation starts only from a finished one.</summary>
    public bool Finished { get; set; }

    /// <summary>When (monotonic ms) the server starts the next renegotiation itself; long.MaxValue = never.</summary>
    public long RenegotiateAtMs { get; set; } = long.MaxValue;

    /// <summary>Key-ids run 0, 1 … 7, then wrap to 1 (key_state_init() in ssl.c).</summary>
    public static int NextKeyId(int keyId) => keyId >= 7 ? 1 : keyId + 1;
}
