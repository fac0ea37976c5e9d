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
    public TlsServerChannel Tls { get; }
    public bool IsInitial { get; }

    /// <summary>Set once its data keys are installed; renegotiation starts only from a finished one.</summary>
    public bool Finished { get; set; }

    /// <summary>When (monotonic ms) the server starts the next renegotiation itself; long.MaxValue = never.</summary>
    public long RenegotiateAtMs { get; set; } = long.MaxValue;

    /// <summary>Key-ids run 0, 1 … 7, then wrap to 1 (key_state_init() in ssl.c).</summary>
    public static int NextKeyId(int keyId) => keyId >= 7 ? 1 : keyId + 1;
}
