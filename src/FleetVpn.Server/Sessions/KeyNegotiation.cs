using FleetVpn.ControlChannel;
using FleetVpn.Protocol.Reliability;

namespace FleetVpn.Server.Sessions;

/// <summary>
/// One key-id's negotiation: its reliable control link and TLS session. Key-id 0 starts with the
/// hard reset; each renegotiation (P_CONTROL_SOFT_RESET_V1) starts a new one with the next key-id.
/// Only the newest negotiation carries control traffic.
/// </summary>
public sealed class KeyNegotiation
{
    public KeyNegotiation(ReliableLink link, TlsServerChannel tls, bool isInitial)
    {
        Link = link;
        Tls = tls;
        IsInitial = isInitial;
    }

    public int KeyId => Link.KeyId;
    public ReliableLink Link { get; }

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
        Tls = null;
        _ = tls.DisposeAsync().AsTask();
    }

    /// <summary>Set once its data keys are installed; renegotiation starts only from a finished one.</summary>
    public bool Finished { get; set; }

    /// <summary>When (monotonic ms) the server starts the next renegotiation itself; long.MaxValue = never.</summary>
    public long RenegotiateAtMs { get; set; } = long.MaxValue;

    /// <summary>Key-ids run 0, 1 … 7, then wrap to 1 (key_state_init() in ssl.c).</summary>
    public static int NextKeyId(int keyId) => keyId >= 7 ? 1 : keyId + 1;
}
