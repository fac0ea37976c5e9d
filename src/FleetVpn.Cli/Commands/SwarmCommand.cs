using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using FleetVpn.Protocol.DataChannel;
using FleetVpn.Protocol.Wrapping;
using FleetVpn.Swarm;

namespace FleetVpn.Cli.Commands;

/// <summary>
/// <c>fleetvpn swarm --remote HOST:PORT --clients N --pki DIR [...]</c>: many simulated OpenVPN 2.6 clients
/// in one process against a server, with a live progress line and a JSON summary.
/// Exit codes: 0 every client connected and still connected at the end, 1 some did not, 2 bad arguments.
/// </summary>
internal static class SwarmCommand
{
    public const int ExitOk = 0;
    public const int ExitClientsFailed = 1;
    public const int ExitUsage = 2;

    public static Command Create()
    {
        var remote = new Option<string>("--remote") { Description = "The server's UDP address, HOST:PORT (IPv4; loopback or a test namespace address).", HelpName = "HOST:PORT", Required = true };
        var clients = new Option<int>("--clients") { Description = "Number of simulated clients.", HelpName = "N", Required = true };
        var pki = new Option<string>("--pki") { Description = "easy-rsa PKI directory: ca.crt, issued/<CN>.crt, private/<CN>.key; every client certificate in issued/ is used in turn (server certificates are skipped).", HelpName = "DIR", Required = true };
        var ramp = new Option<double>("--ramp") { Description = "New clients started per second.", HelpName = "PER_SECOND", DefaultValueFactory = _ => 100 };
        var duration = new Option<int>("--duration") { Description = "Length of the run in seconds (the ramp included); then clients send their exit notification and stop.", HelpName = "SECONDS", DefaultValueFactory = _ => 30 };
        var scenario = new Option<string>("--scenario") { Description = "steady: connect and stay; churn: every --churn-interval a share of clients leaves and reconnects; storm: at mid-run all clients drop and reconnect at once; float: at mid-run every connected client moves to a new source port and keeps its session (NAT rebinding); abandon: every client goes silent in its first handshake and starts again from a new source port.", HelpName = "steady|churn|storm|float|abandon", DefaultValueFactory = _ => "steady" };
        scenario.AcceptOnlyFromAmong("steady", "churn", "storm", "float", "abandon");
        var churnPercent = new Option<double>("--churn-percent") { Description = "Percent of the connected clients that leave and reconnect at each churn.", HelpName = "PERCENT", DefaultValueFactory = _ => 10 };
        var churnInterval = new Option<int>("--churn-interval") { Description = "Seconds between churns.", HelpName = "SECONDS", DefaultValueFactory = _ => 60 };
        var dataCiphers = new Option<string>("--data-ciphers") { Description = "Data ciphers the clients offer (IV_CIPHERS), colon-separated.", HelpName = "LIST", DefaultValueFactory = _ => "AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305" };
        var auth = new Option<string>("--auth") { Description = "HMAC digest for tls-auth and CBC data ciphers: SHA1, SHA256 or SHA512.", HelpName = "DIGEST", DefaultValueFactory = _ => "SHA1" };
        var tlsCrypt = new Option<string?>("--tls-crypt") { Description = "Wrap the control channel with this tls-crypt static key (client role).", HelpName = "FILE" };
        var tlsCryptV2 = new Option<string?>("--tls-crypt-v2") { Description = "Wrap the control channel with this tls-crypt-v2 client key (every client uses it): hard reset V3 with the wrapped key, resent in P_CONTROL_WKC_V1 when the server asks (2.6 early negotiation).", HelpName = "CLIENT_KEY" };
        var tlsAuth = new Option<string[]>("--tls-auth") { Description = "Authenticate the control channel with this tls-auth static key; direction 1 (the client's) unless given: --tls-auth FILE 1.", HelpName = "FILE [DIR]", AllowMultipleArgumentsPerToken = true, Arity = new ArgumentArity(1, 2) };
        var pingTarget = new Option<string?>("--ping-target") { Description = "Send ICMP echo requests to this address through each tunnel (e.g. the server's tun address 10.8.0.1) and measure the round trip.", HelpName = "ADDR" };
        var pingInterval = new Option<double>("--ping-interval") { Description = "Seconds between ICMP echo requests of one client.", HelpName = "SECONDS", DefaultValueFactory = _ => 1 };
        var payload = new Option<int>("--payload-bytes") { Description = "Payload size of the ICMP echo requests and of the --traffic-target UDP datagrams, 8..1400 (the first 8 bytes: a timestamp, or the client's index and datagram count).", HelpName = "N", DefaultValueFactory = _ => 56 };
        var trafficTarget = new Option<string?>("--traffic-target") { Description = "Once every client is connected (from mid-run at the latest), send UDP datagrams of --payload-bytes through the tunnels to this address (e.g. a sink on the server's tun address, 10.8.0.1:9000) until the run ends; one thread walks the connected clients round-robin. Count what arrives at the sink: the summary's traffic.sent is what was offered.", HelpName = "ADDR:PORT" };
        var trafficPps = new Option<double>("--traffic-pps") { Description = "Datagrams per second offered by all clients together; 0: as fast as the sending thread can.", HelpName = "N", DefaultValueFactory = _ => 1000 };
        var sources = new Option<string?>("--sources") { Description = "Send from the host addresses of this IPv4 CIDR (they must be local addresses): with an address for every client, each client has its own, on a few shared sockets; otherwise one socket per client, bound round-robin. Default for a loopback server: 127.0.0.0/8 from 127.0.0.2.", HelpName = "CIDR" };
        var handWindow = new Option<int>("--hand-window") { Description = "Seconds a TLS handshake and key exchange may take before the attempt fails.", HelpName = "SECONDS", DefaultValueFactory = _ => 60 };
        var keepTls = new Option<bool>("--keep-tls") { Description = "Keep each client's TLS session after PUSH_REPLY (EXIT over the control channel, RESTART/HALT from the server) at the cost of memory." };
        var settle = new Option<int>("--settle") { Description = "Seconds clients still connecting at the end may take before the final count.", HelpName = "SECONDS", DefaultValueFactory = _ => 15 };
        var json = new Option<string?>("--json") { Description = "Write the JSON summary to this file (it is printed to stdout as well).", HelpName = "FILE" };
        var seed = new Option<int>("--seed") { Description = "Seed of the scenario's random choices.", HelpName = "N", DefaultValueFactory = _ => 1 };

        var command = new Command("swarm",
            "Simulate a fleet: many OpenVPN 2.6 clients (UDP, TLS, key-method 2 with the PRF, data channel, keepalive) in one process " +
            "against an OpenVPN-compatible server. A progress line goes to stderr every second; at the end a JSON summary " +
            "(clients, connected, failed, failures by reason, connect_ms p50/p90/p99/max, handshakes_per_s, ping sent/received/rtt_ms, " +
            "traffic sent/payload_bytes/refused/seconds/sent_per_s, elapsed_s, swarm_rss_mb). Send traffic only to servers you run yourself (loopback or your own test network). " +
            "Exit codes: 0 all clients connected at the end, 1 some did not, 2 bad arguments.")
        {
            remote, clients, pki, ramp, duration, scenario, churnPercent, churnInterval, dataCiphers, auth, tlsCrypt, tlsCryptV2, tlsAuth,
            pingTarget, pingInterval, payload, trafficTarget, trafficPps, sources, handWindow, keepTls, settle, json, seed,
        };

        command.SetAction(async (parse, cancellation) =>
        {
            SwarmOptions options;
            try
            {
                var remoteEndPoint = ParseRemote(parse.GetRequiredValue(remote));
                int n = parse.GetValue(clients);
                if (n < 1) throw new ArgumentException("--clients must be at least 1");
                var ciphers = parse.GetValue(dataCiphers)!.Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                foreach (var c in ciphers)
                    if (DataCipher.FindAny(c) is null) throw new ArgumentException($"--data-ciphers: unsupported cipher '{c}'");
                var digest = HmacDigest.Find(parse.GetValue(auth)!) ?? throw new ArgumentException($"--auth: unsupported digest '{parse.GetValue(auth)}'");
                var clientKey = parse.GetValue(tlsCryptV2) is { } v2Path ? TlsCryptV2ClientKey.Parse(File.ReadAllText(v2Path)) : null;
                if (clientKey is not null && (parse.GetValue(tlsCrypt) is not null || parse.GetValue(tlsAuth) is { Length: > 0 }))
                    throw new ArgumentException("--tls-crypt-v2 excludes --tls-crypt and --tls-auth");
                var wrapper = clientKey is not null
                    ? new TlsCryptWrapper(clientKey.Key, isServer: false)
                    : MakeWrapper(parse.GetValue(tlsCrypt), parse.GetValue(tlsAuth), digest);
                IPAddress? target = null;
                if (parse.GetValue(pingTarget) is { } t && !IPAddress.TryParse(t, out target))
                    throw new ArgumentException($"--ping-target: '{t}' is not an IPv4 address");
                IPEndPoint? trafficEndPoint = null;
                if (parse.GetValue(trafficTarget) is { } tt)
                {
                    trafficEndPoint = IPEndPoint.TryParse(tt, out var ep) && ep.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && ep.Port > 0
                        ? ep : throw new ArgumentException($"--traffic-target: '{tt}' is not IPv4ADDR:PORT");
                }
                double pps = parse.GetValue(trafficPps);
                if (pps < 0 || double.IsNaN(pps)) throw new ArgumentException("--traffic-pps must be 0 (unpaced) or more");
                var loaded = SwarmPki.Load(parse.GetRequiredValue(pki), maxIdentities: n);
                Console.Error.WriteLine($"swarm: {n} clients → {remoteEndPoint}, {loaded.Identities.Count} client certificate(s), wrap {(clientKey is null ? Describe(wrapper) : "tls-crypt-v2")}");
                options = new SwarmOptions
                {
                    Remote = remoteEndPoint,
                    Clients = n,
                    Pki = loaded,
                    RampPerSecond = Math.Max(0.1, parse.GetValue(ramp)),
                    Duration = TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(duration))),
                    Scenario = Enum.Parse<SwarmScenario>(parse.GetValue(scenario)!, ignoreCase: true),
                    ChurnPercent = Math.Clamp(parse.GetValue(churnPercent), 0, 100),
                    ChurnInterval = TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(churnInterval))),
                    DataCiphers = ciphers.Select(c => DataCipher.FindAny(c)!.Name).ToArray(),
                    Auth = digest,
                    Wrapper = wrapper,
                    TlsCryptV2 = clientKey,
                    PingTarget = target,
                    PingInterval = TimeSpan.FromSeconds(Math.Max(0.05, parse.GetValue(pingInterval))),
                    PayloadBytes = Math.Clamp(parse.GetValue(payload), 8, 1400),
                    TrafficTarget = trafficEndPoint,
                    TrafficPacketsPerSecond = pps,
                    HandshakeTimeout = TimeSpan.FromSeconds(Math.Max(5, parse.GetValue(handWindow))),
                    KeepTls = parse.GetValue(keepTls),
                    SettleTimeout = TimeSpan.FromSeconds(Math.Max(0, parse.GetValue(settle))),
                    SourcesCidr = parse.GetValue(sources),
                    Seed = parse.GetValue(seed),
                };
            }
            catch (Exception e) when (e is ArgumentException or FormatException or IOException or System.Security.Cryptography.CryptographicException)
            {
                await Console.Error.WriteLineAsync($"swarm: {e.Message}");
                return ExitUsage;
            }

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
            using var engine = new SwarmEngine(options, Console.Error);
            var summary = await engine.RunAsync(stop.Token);
            var text = summary.ToJson();
            Console.WriteLine(text);
            if (parse.GetValue(json) is { } jsonPath) await File.WriteAllTextAsync(jsonPath, text + "\n", CancellationToken.None);
            return summary.Succeeded ? ExitOk : ExitClientsFailed;
        });
        return command;
    }

    private static IPEndPoint ParseRemote(string text)
    {
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
            throw new ArgumentException($"--remote: '{text}' is not HOST:PORT");
        var host = text[..colon];
        if (!IPAddress.TryParse(host, out var address))
        {
            address = Dns.GetHostAddresses(host).FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
                      ?? throw new ArgumentException($"--remote: no IPv4 address for '{host}'");
        }
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork) throw new ArgumentException("--remote: only IPv4 is supported");
        return new IPEndPoint(address, port);
    }

    private static IControlWrapper MakeWrapper(string? tlsCrypt, string[]? tlsAuth, HmacDigest digest)
    {
        if (tlsCrypt is not null && tlsAuth is { Length: > 0 }) throw new ArgumentException("--tls-crypt and --tls-auth exclude each other");
        if (tlsCrypt is not null) return new TlsCryptWrapper(StaticKey.Parse(File.ReadAllText(tlsCrypt)), isServer: false);
        if (tlsAuth is { Length: > 0 })
        {
            var direction = tlsAuth.Length < 2 ? KeyDirection.Inverse : tlsAuth[1] switch
            {
                "1" => KeyDirection.Inverse,
                "0" => KeyDirection.Normal,
                _ => throw new ArgumentException($"--tls-auth: direction must be 0 or 1, not '{tlsAuth[1]}'"),
            };
            return new TlsAuthWrapper(StaticKey.Parse(File.ReadAllText(tlsAuth[0])), direction, digest);
        }
        return NoWrapper.Instance;
    }

    private static string Describe(IControlWrapper wrapper) => wrapper switch
    {
        TlsCryptWrapper => "tls-crypt",
        TlsAuthWrapper a => $"tls-auth ({a.Digest})",
        _ => "none",
    };
}
