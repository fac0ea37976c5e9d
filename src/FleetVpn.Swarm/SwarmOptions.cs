using System.Net;
using FleetVpn.Protocol.DataChannel;
using FleetVpn.Protocol.Wrapping;

namespace FleetVpn.Swarm;

/// <summary>What happens to connected clients during a run.</summary>
public enum SwarmScenario
{
    /// <summary>Clients connect and stay connected.</summary>
    Steady,

    /// <summary>Every churn interval a share of the connected clients leaves (explicit exit) and reconnects.</summary>
    Churn,

    /// <summary>At mid-run every client drops its session at once and reconnects (a reconnect storm).</summary>
    Storm,

    /// <summary>At mid-run every connected client moves to a new source port and keeps its session (NAT rebinding).</summary>
    Float,

    /// <summary>
    /// Every client gives up its first handshake once under way (silent from then on, as a device that timed out or lost
    /// its path) and at once starts a new one from a new source port: the handshakes a storm leaves behind on a server.
    /// </summary>
    Abandon,
}

/// <summary>The settings of one swarm run.</summary>
public sealed record SwarmOptions
{
    public required IPEndPoint Remote { get; init; }
    public required int Clients { get; init; }
    public required SwarmPki Pki { get; init; }

    /// <summary>New connection attempts started per second while ramping up.</summary>
    public double RampPerSecond { get; init; } = 100;

    /// <summary>Length of the run (ramp included), after which clients leave.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);

    public SwarmScenario Scenario { get; init; } = SwarmScenario.Steady;
    public double ChurnPercent { get; init; } = 10;
    public TimeSpan ChurnInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The data ciphers offered in IV_CIPHERS (the pushed cipher must be one of them).</summary>
    public IReadOnlyList<string> DataCiphers { get; init; } = ["AES-256-GCM", "AES-128-GCM", "CHACHA20-POLY1305"];

    /// <summary>The <c>--auth</c> digest: tls-auth HMAC and CBC data-channel HMAC.</summary>
    public HmacDigest Auth { get; init; } = HmacDigest.Sha1;

    /// <summary>Control-channel wrapping shared by all clients (each client has its own replay counter).</summary>
    public IControlWrapper Wrapper { get; init; } = NoWrapper.Instance;

    /// <summary>
    /// `--tls-crypt-v2 CLIENT_KEY`: the clients start with P_CONTROL_HARD_RESET_CLIENT_V3 carrying its WKc and resend it
    /// in P_CONTROL_WKC_V1 when the server asks (2.6 early negotiation); <see cref="Wrapper"/> is then tls-crypt with its Kc.
    /// All clients share the one key (a fleet would give each device its own; the server cannot tell).
    /// </summary>
    public TlsCryptV2ClientKey? TlsCryptV2 { get; init; }

    public IPAddress? PingTarget { get; init; }
    public TimeSpan PingInterval { get; init; } = TimeSpan.FromSeconds(1);
    public int PayloadBytes { get; init; } = 56;

    /// <summary>Where the <see cref="TrafficSender"/> sends UDP datagrams through the tunnels (null: no traffic).</summary>
    public IPEndPoint? TrafficTarget { get; init; }

    /// <summary>Datagrams per second offered by all clients together; 0: as fast as the sending thread can.</summary>
    public double TrafficPacketsPerSecond { get; init; } = 1000;

    /// <summary>TLS + key exchange must finish within this (<c>--hand-window</c>, 60 s).</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Keep each client's TLS session after PUSH_REPLY (for the EXIT message and server commands); off keeps idle clients small.</summary>
    public bool KeepTls { get; init; }

    /// <summary>How long clients still connecting at the end of the run may take before the final count.</summary>
    public TimeSpan SettleTimeout { get; init; } = TimeSpan.FromSeconds(15);

    public string? SourcesCidr { get; init; }

    /// <summary>Seed of the churn choices.</summary>
    public int Seed { get; init; } = 1;
}
