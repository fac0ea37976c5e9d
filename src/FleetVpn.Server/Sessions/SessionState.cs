namespace FleetVpn.Server.Sessions;

/// <summary>Where a client is in its life.</summary>
public enum SessionState
{
    /// <summary>TLS and key-method 2 running; no data keys yet.</summary>
    Handshaking,
    /// <summary>Data keys installed and an address assigned.</summary>
    Established,
    /// <summary>Gone; kept only by references still in flight.</summary>
    Closed,
}
