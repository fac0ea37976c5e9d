using System.Net;
using System.Net.Sockets;
using FleetVpn.ControlChannel;
using FleetVpn.Platform.Sockets;
using FleetVpn.Platform.Tun;
using FleetVpn.Protocol.Wrapping;
using FleetVpn.Server.Config;
using FleetVpn.Server.Diagnostics;
using FleetVpn.Server.Engine;
using FleetVpn.Server.Logging;
using FleetVpn.Server.Metrics;
using FleetVpn.Server.Routing;
using FleetVpn.Server.Scripts;
using FleetVpn.Server.Sessions;

namespace FleetVpn.Server;

/// <summary>What every part of the engine shares: options, log, counters, the workers and their sockets, tun, pool and sessions.</summary>
public sealed class ServerContext
{
    /// <param name="ports">One bound socket per worker (SO_REUSEPORT on one port).</param>
    public ServerContext(ServerOptions options, ServerLog log, IReadOnlyList<UdpPort> ports, TunDevice tun)
    {
        Log = log;
        Ports = ports;
        Tun = tun;
        Pool = new AddressPool(options.ServerNetwork, options.ServerNetmask, FleetNodeDirective.SliceOf(options));
        Sessions = new SessionTable(options.MaxClients, ports.Count, new TunnelAddressIndex(Pool.FirstClientAddress, Pool.Capacity));
        Cookie = new SessionCookie(options.HandWindowSeconds);
        _rateLimits = new ConnectRateLimits(options, Counters, log);
        _options = options;
        _tls = CreateTls(options);
        Scripts = new ScriptRunner(log);
    }

    /// <summary>
    /// The configuration in force. A SIGHUP swaps it whole (<see cref="Reload"/>): a reader sees the old or the new one,
    /// never a mix; what cannot change while the server runs (port, dev, pool, ...) is carried from the old one.
    /// </summary>
    public ServerOptions Options => Volatile.Read(ref _options);
    private ServerOptions _options;

    /// <summary>Runs client-connect, client-disconnect and auth-user-pass-verify off the workers.</summary>
    public ScriptRunner Scripts { get; }
    public ServerLog Log { get; }
    public ServerCounters Counters { get; } = new();

    /// <summary>The sessions' control-state locks (<see cref="Sessions.SessionLocks"/>).</summary>
    public SessionLocks SessionLocks { get; } = new();
    public IReadOnlyList<UdpPort> Ports { get; }

    /// <summary>The workers, one per port; set once they exist (before any datagram is read).</summary>
    public IReadOnlyList<Worker> Workers { get; set; } = [];

    /// <summary>The run's instruments (handshake latency is recorded through it); null until the run made them.</summary>
    public ServerMetrics? Metrics { get; set; }

    /// <summary>
    /// First handshakes admitted and not yet finished (or failed). Past <see cref="MaxHandshakesInFlight"/> a new client's
    /// reset gets no answer: shed before any TLS work, it retries (2 s, then backing off) instead of adding to a queue
    /// that would make every handshake miss its hand-window, which is how a reconnect storm collapses a server.
    /// </summary>
    public int HandshakesInFlight => Volatile.Read(ref _handshakesInFlight);
    private int _handshakesInFlight;

    /// <summary>The admission bound: 64 handshakes per worker, enough to keep every core busy with TLS.</summary>
    public int MaxHandshakesInFlight => 64 * Math.Max(1, Ports.Count);

    public void HandshakeStarted()
    {
        Interlocked.Increment(ref _handshakesInFlight);
        ServerCounters.Increment(ref Counters.HandshakesStarted);
    }
    public void HandshakeEnded() => Interlocked.Decrement(ref _handshakesInFlight);

    /// <summary>True when a new client may start a handshake now.</summary>
    public bool AdmitsHandshake => HandshakesInFlight < MaxHandshakesInFlight;

    /// <summary>Set when the run starts to end: from then on only datagrams of known clients are served.</summary>
    public volatile bool Draining;
    public TunDevice Tun { get; }
    public AddressPool Pool { get; }
    public SessionTable Sessions { get; }
    public SessionCookie Cookie { get; }

    /// <summary>connect-freq-initial, connect-freq and their per-source shares: consulted for new clients only; a reload
    /// that changes them makes new ones.</summary>
    public ConnectRateLimits RateLimits => Volatile.Read(ref _rateLimits);
    private ConnectRateLimits _rateLimits;

    /// <summary>Certificate, key, CA, revocation and TLS policy for new handshakes (renegotiations included); swapped by a reload.</summary>
    public ServerTlsSettings Tls => Volatile.Read(ref _tls);
    private ServerTlsSettings _tls;

    /// <summary>The TLS side of <paramref name="options"/>: what every handshake from now on uses.</summary>
    public static ServerTlsSettings CreateTls(ServerOptions options) =>
        new(options.ServerCertificate ?? throw new InvalidOperationException("no server certificate"),
            options.CaCertificates, options.RemoteCertTlsClient, options.Revocation)
        {
            Protocols = options.TlsProtocols,
            CipherSuites = options.TlsCipherSuites is not { } suites ? null
                : OperatingSystem.IsWindows() ? throw new PlatformNotSupportedException("tls-cipher and tls-ciphersuites need Linux (CipherSuitesPolicy)")
                : new System.Net.Security.CipherSuitesPolicy(suites),
        };

    /// <summary>Puts a reloaded configuration in force (its TLS settings made beforehand with <see cref="CreateTls"/>).</summary>
    public void Reload(ServerOptions options, ServerTlsSettings tls)
    {
        Volatile.Write(ref _tls, tls);
        var running = Options;
        // New limits start with empty windows; unchanged ones keep theirs (a SIGHUP must not reopen a spent budget).
        if (options.ConnectFreqInitial != running.ConnectFreqInitial || options.ConnectFreq != running.ConnectFreq ||
            options.ConnectFreqPerSource != running.ConnectFreqPerSource)
            Volatile.Write(ref _rateLimits, new ConnectRateLimits(options, Counters, Log));
        Volatile.Write(ref _options, options);
    }

    /// <summary>Who hears of clients coming and going (the management interface); null = nobody.</summary>
    public ISessionObserver? SessionObserver { get; set; }

    /// <summary>Milliseconds on a monotonic clock.</summary>
    public static long NowMs => Environment.TickCount64;

    public static long UnixSeconds => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>
    /// Sends a datagram: on a worker's thread into its batch (out with the rest of its wake-up's work), elsewhere
    /// (TLS tasks, shutdown) at once on the first worker's socket.
    /// </summary>
    public void Send(ReadOnlySpan<byte> datagram, SocketAddress to) => Send(datagram, PeerAddress.From(to));

    /// <summary>Sends a datagram to a session's address (see the overload above for where it leaves).</summary>
    public void Send(ReadOnlySpan<byte> datagram, in PeerAddress to)
    {
        if (Worker.Current is { } worker && Workers.Count > worker.Index && Workers[worker.Index] == worker)
        {
            worker.Send(datagram, to);
            return;
        }
        if (Workers.Count > 0 ? !Workers[0].SendNow(datagram, to) : !Ports[0].SendTo(datagram, to))
            Log.Write(4, $"send to {to} failed", "send-failed");
    }

    /// <summary>An <see cref="IPEndPoint"/> for a received address (IPv4, or IPv6 from a dual-mode socket).</summary>
    public static IPEndPoint ToEndPoint(SocketAddress address) =>
        (IPEndPoint)new IPEndPoint(address.Family == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0).Create(address);

    public static string Describe(IPEndPoint endPoint) =>
        endPoint.Address.IsIPv4MappedToIPv6 ? $"{endPoint.Address.MapToIPv4()}:{endPoint.Port}" : endPoint.ToString();
}
