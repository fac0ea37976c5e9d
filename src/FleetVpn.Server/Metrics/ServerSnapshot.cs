namespace FleetVpn.Server.Metrics;

/// <summary>The totals the dashboard charts, at one moment: gauges as they were, counters since the run started.</summary>
public readonly record struct ServerSnapshot(
    long UnixSeconds, int Connected, int Sessions, long HandshakesCompleted, long HandshakesFailed, long Disconnects, long Drops);
