using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using FleetVpn.Protocol.DataChannel;

namespace FleetVpn.Server.Config;

/// <summary>
/// Applies directives to a <see cref="ServerOptions"/> one at a time, in order, validating each
/// as OpenVPN 2.6 does (<c>add_option</c> in <c>options.c</c>, the helpers in <c>helper.c</c>) and
/// refusing what FleetVPN does not implement. <see cref="Build"/> then runs the checks that need
/// the whole config: the device type, required directives, that <c>cert</c> and <c>key</c> belong
/// together, and builds the control-channel wrapper (its digest comes from <c>auth</c>, which may
/// follow <c>tls-auth</c>).
/// </summary>
internal sealed class ServerOptionsBuilder
{
    /// <summary><c>PING_TIMEOUT_MAX</c> in OpenVPN's options.h: one day.</summary>
    private const int PingTimeoutMax = 86400;

    /// <summary><c>MAX_PEER_ID</c> - 1: the peer-id is 24 bits and 0xFFFFFF means "none".</summary>
    private const int MaxClientsLimit = 0xFFFFFE;

    /// <summary>Linux <c>IFNAMSIZ</c> - 1.</summary>
    private const int MaxInterfaceNameLength = 15;

    /// <summary><c>MSSFIX_DEFAULT</c> in OpenVPN's mtu.h: what a bare <c>mssfix</c> means.</summary>
    private const int MssFixDefault = 1492;

    private readonly ServerOptions _options = new();
    private readonly string _mainFile;
    private string _directory;
    private int _sequence;

    private ConfigDirective? _ca;
    private ConfigDirective? _server;
    private ConfigDirective? _fleetNode;
    private ConfigDirective? _dev;
    private ConfigDirective? _devType;
    private ConfigDirective? _local;
    private ConfigDirective? _ccdExclusive;
    private readonly ControlWrapperDirectives _wrapping = new();
    private readonly CipherDirectives _ciphers = new();
    private readonly CrlVerifyDirective _crlVerify = new();
    private readonly TlsPolicyDirectives _tlsPolicy = new();
    private readonly ScriptDirectives _scripts = new();
    // The cert and key directives with their PEM text and the order they were applied in, so a
    // mismatch is reported at whichever of the two came last.
    private (ConfigDirective Directive, string Pem, int Sequence)? _cert;
    private (ConfigDirective Directive, string Pem, int Sequence)? _key;

    /// <param name="mainFile">The config file's name, for errors that concern the whole file (missing directives).</param>
    /// <param name="directory">Where relative paths resolve until a <c>cd</c> directive moves it.</param>
    public ServerOptionsBuilder(string mainFile, string directory)
    {
        _mainFile = mainFile;
        _directory = directory;
    }

    /// <summary>Validates one directive and records it; throws <see cref="ConfigException"/> at the first problem.</summary>
    public void Apply(ConfigDirective directive)
    {
        _sequence++;
        switch (directive.Name)
        {
            case "proto": ApplyProto(directive); break;
            case "port": _options.Port = ConfigValues.Integer(directive, Single(directive), "port", 1, 65535); break;
            case "local": ApplyLocal(directive); break;
            case "dev": ApplyDev(directive); break;
            case "dev-type": ApplyDevType(directive); break;
            case "tun-mtu": ApplyTunMtu(directive); break;
            case "topology": ApplyTopology(directive); break;
            case "server": ApplyServer(directive); break;
            case "keepalive": ApplyKeepalive(directive); break;
            case "persist-key": NoArguments(directive); _options.PersistKey = true; break;
            case "persist-tun": NoArguments(directive); _options.PersistTun = true; break;
            case "comp-lzo": ApplyCompLzo(directive); break;
            case "verb": _options.Verb = ConfigValues.Integer(directive, Single(directive), "verb", 0, int.MaxValue); break;
            case "mute": _options.Mute = ConfigValues.Integer(directive, Single(directive), "mute", 0, int.MaxValue); break;
            case "reneg-sec": ApplyRenegSec(directive); break;
            case "max-clients": _options.MaxClients = ConfigValues.Integer(directive, Single(directive), "max-clients", 1, MaxClientsLimit); break;
            case "connect-freq-initial": _options.ConnectFreqInitial = ConnectFreqDirectives.ParseRate(directive, minimumCount: 0); break;
            case "connect-freq": _options.ConnectFreq = ConnectFreqDirectives.ParseRate(directive, minimumCount: 1); break;
            case "connect-freq-per-source": _options.ConnectFreqPerSource = ConnectFreqDirectives.ParsePerSource(directive); break;
            case "ca": ApplyCa(directive); break;
            case "cert": ApplyCert(directive); break;
            case "key": ApplyKey(directive); break;
            case "dh": ApplyDh(directive); break;
            case "data-ciphers" or "ncp-ciphers": _options.DataCiphers = CipherDirectives.ParseDataCiphers(directive); break;
            case "data-ciphers-fallback": _ciphers.ApplyFallback(directive); break;
            case "cipher": _ciphers.ApplyCipher(directive); break;
            case "auth": ApplyAuth(directive); break;
            case "tls-auth": _wrapping.ApplyTlsAuth(directive, () => ReadKeyMaterial(directive, maxArguments: 2)); break;
            case "tls-crypt": _wrapping.ApplyTlsCrypt(directive, () => ReadKeyMaterial(directive, maxArguments: 2)); break;
            case "key-direction": _wrapping.ApplyKeyDirection(directive); break;
            case "tls-crypt-v2": _wrapping.ApplyTlsCryptV2(directive, () => ReadKeyMaterial(directive, maxArguments: 2)); break;
            case "tls-crypt-v2-max-age": _wrapping.ApplyTlsCryptV2MaxAge(directive); break;
            case "tls-crypt-v2-verify": throw directive.Error("not supported (no metadata verification script; tls-crypt-v2-max-age checks the key's age)");
            case "remote-cert-tls": ApplyRemoteCertTls(directive); break;
            case "status": ApplyStatus(directive); break;
            case "status-version": _options.StatusVersion = ManagementDirectives.ParseStatusVersion(directive); break;
            case "management": _options.Management = ManagementDirectives.ParseManagement(directive, _directory); break;
            case "hand-window": _options.HandWindowSeconds = ConfigValues.Integer(directive, Single(directive), "hand-window", 1, int.MaxValue); break;
            case "tls-timeout": _options.TlsTimeoutSeconds = ConfigValues.Integer(directive, Single(directive), "tls-timeout", 1, int.MaxValue); break;
            case "tran-window": _options.TransitionWindowSeconds = ConfigValues.Integer(directive, Single(directive), "tran-window", 1, int.MaxValue); break;
            case "tls-server": NoArguments(directive); break; // implied: FleetVPN is always the TLS server
            case "mode": ApplyMode(directive); break;
            case "cd": ApplyCd(directive); break;
            case "daemon" or "syslog" or "log" or "log-append" or "writepid": ProcessDirectives.Apply(directive, _options.Process, _directory); break;
            case "client-config-dir": ApplyClientConfigDir(directive); break;
            case "ccd-exclusive": NoArguments(directive); _options.CcdExclusive = true; _ccdExclusive = directive; break;
            case "mssfix": ApplyMssFix(directive); break;
            case "explicit-exit-notify": ApplyExplicitExitNotify(directive); break;
            case "user": ApplyUser(directive); break;
            case "group": ApplyGroup(directive); break;
            case "duplicate-cn": NoArguments(directive); _options.DuplicateCn = true; break;
            case "client-to-client": NoArguments(directive); _options.ClientToClient = true; break;
            case "ifconfig-pool-persist": ApplyIfconfigPoolPersist(directive); break;
            case "push": ApplyPush(directive); break;
            case "workers": _options.Workers = EngineDirectives.ParseWorkers(directive); break;
            case "worker-cpus": _options.WorkerCpus = EngineDirectives.ParseWorkerCpus(directive); break;
            case "metrics": _options.MetricsEndPoint = MetricsDirective.Parse(directive); break;
            case "fleet-node": (_options.FleetNode, _options.FleetNodes) = FleetNodeDirective.Parse(directive); _fleetNode = directive; break;
            case "crl-verify": _crlVerify.Apply(directive, _directory); break;
            case "tls-version-min": _tlsPolicy.ApplyVersionMin(directive); break;
            case "tls-cipher": _tlsPolicy.ApplyCipher(directive); break;
            case "tls-ciphersuites": _tlsPolicy.ApplyCipherSuites(directive); break;
            case "tls-groups": TlsPolicyDirectives.ApplyGroups(directive); break;
            case "ecdh-curve": _options.Warnings.Add(TlsPolicyDirectives.ApplyEcdhCurve(directive)); break;
            case "script-security" or "client-connect" or "client-disconnect" or "auth-user-pass-verify" or "username-as-common-name" or "tmp-dir":
                _scripts.Apply(directive, _options, _directory);
                break;
            case "rcvbuf": _options.ReceiveBufferBytes = SocketBufferSize(directive); break;
            case "sndbuf": _options.SendBufferBytes = SocketBufferSize(directive); break;
            default:
                throw directive.Error("not supported");
        }
    }

    /// <summary>Runs the whole-config checks and returns the options.</summary>
    public ServerOptions Build()
    {
        CheckDeviceType();
        CheckLocalMatchesProto();
        // options_postprocess_verify_ce() in options.c: "--ccd-exclusive must be used with --client-config-dir".
        if (_ccdExclusive is not null && _options.ClientConfigDir is null)
            throw _ccdExclusive.Error("must be used with client-config-dir");

        _scripts.Check(_options);

        if (_ca is null) throw Missing("ca");
        if (_cert is not { } cert) throw Missing("cert");
        if (_key is not { } key) throw Missing("key");
        if (_server is null) throw Missing("server");
        if (_fleetNode is not null) FleetNodeDirective.Check(_fleetNode, _options);

        var combined = KeyMaterialLoader.CombineCertificateAndKey(cert.Pem, key.Pem);
        if (combined is null)
        {
            throw key.Sequence > cert.Sequence
                ? key.Directive.Error($"private key does not match the certificate of '{cert.Directive}' ({cert.Directive.Location})")
                : cert.Directive.Error($"certificate does not match the private key of '{key.Directive}' ({key.Directive.Location})");
        }
        if (ServerKeyStrength.Weakness(combined) is { } weakness) throw cert.Directive.Error(weakness);
        _options.ServerCertificate = combined;
        _options.Revocation = _crlVerify.Build(_options.CaCertificates);
        _options.TlsProtocols = _tlsPolicy.Protocols;
        _options.TlsCipherSuites = _tlsPolicy.CipherSuites();
        _options.DataCiphersFallback = _ciphers.Fallback;
        (_options.ControlWrapper, _options.ControlWrapperName) = _wrapping.Build(_options.Auth);
        (_options.TlsCryptV2, _options.TlsCryptV2MaxAgeDays) = _wrapping.BuildTlsCryptV2();
        return _options;
    }

    /// <summary>`rcvbuf N` / `sndbuf N`: bytes, positive (OpenVPN's positive_atoi), at most 1 GiB (the kernel doubles it in an int).</summary>
    private static int SocketBufferSize(ConfigDirective directive) =>
        ConfigValues.Integer(directive, Single(directive), directive.Name, 1, 1 << 30);

    private ConfigException Missing(string name) =>
        new(_mainFile, 0, name, "required directive is missing (a server needs 'ca', 'cert', 'key' and 'server')");

    private void ApplyProto(ConfigDirective directive)
    {
        var proto = Single(directive);
        _options.AddressFamily = proto switch
        {
            "udp" => UdpAddressFamily.Any,
            "udp4" => UdpAddressFamily.IPv4,
            "udp6" => UdpAddressFamily.IPv6,
            _ when proto.StartsWith("tcp", StringComparison.Ordinal) => throw directive.Error("not supported (FleetVPN serves UDP only)"),
            _ => throw directive.Error($"not supported: unknown protocol '{proto}' (FleetVPN serves udp, udp4 or udp6)"),
        };
    }

    private void ApplyLocal(ConfigDirective directive)
    {
        var text = Single(directive);
        IPAddress address;
        if (text.Contains(':'))
        {
            if (!IPAddress.TryParse(text, out var parsed) || parsed.AddressFamily != AddressFamily.InterNetworkV6)
                throw directive.Error($"'{text}' is not an IPv6 address");
            address = parsed;
        }
        else if (text.Length > 0 && text.All(c => char.IsAsciiDigit(c) || c == '.'))
        {
            address = ConfigValues.IPv4(directive, text);
        }
        else
        {
            throw directive.Error($"host names are not supported yet: give 'local' an IP address, not '{text}'");
        }
        _options.Local = address;
        _local = directive;
    }

    private void ApplyDev(ConfigDirective directive)
    {
        var name = Single(directive);
        if (name.Length == 0 || name.Length > MaxInterfaceNameLength || name is "." or ".." || name.Any(c => c is '/' or ':' || char.IsWhiteSpace(c)))
            throw directive.Error($"'{name}' is not a valid interface name (1 to {MaxInterfaceNameLength} characters, no '/', ':' or spaces)");
        _options.Device = name;
        _dev = directive;
    }

    private void ApplyDevType(ConfigDirective directive)
    {
        switch (Single(directive))
        {
            case "tun": _devType = directive; break;
            case "tap": throw directive.Error("not supported (FleetVPN is layer 3 only: use dev-type tun)");
            default: throw directive.Error("dev-type must be 'tun' or 'tap'");
        }
    }

    private void ApplyTunMtu(ConfigDirective directive)
    {
        var arguments = Expect(directive, 1, 2);
        if (arguments.Count == 2) throw directive.Error("not supported yet: the occ-mtu argument (tun-mtu MTU OCC_MTU)");
        // OpenVPN's TUN_MTU_MIN is 100; Linux caps an interface's MTU at 65535.
        _options.TunMtu = ConfigValues.Integer(directive, arguments[0], "tun-mtu", 100, 65535);
    }

    private static void ApplyTopology(ConfigDirective directive)
    {
        // Without a topology directive FleetVPN uses subnet (OpenVPN 2.7's default; 2.6 defaults to
        // net30, which FleetVPN does not implement). Clients follow the topology the server pushes.
        switch (Single(directive))
        {
            case "subnet": break;
            case "net30" or "p2p": throw directive.Error("not supported (FleetVPN implements topology subnet only)");
            default: throw directive.Error("topology must be 'subnet', 'net30' or 'p2p'");
        }
    }

    private void ApplyServer(ConfigDirective directive)
    {
        var arguments = Expect(directive, 2, 3);
        if (arguments.Count == 3)
        {
            throw arguments[2] == "nopool"
                ? directive.Error("not supported: the 'nopool' flag")
                : directive.Error($"'{arguments[2]}' is not a recognized flag of 'server'");
        }
        var network = ConfigValues.IPv4(directive, arguments[0]);
        var netmask = ConfigValues.IPv4(directive, arguments[1]);
        var networkBits = ConfigValues.ToUInt32(network);
        var maskBits = ConfigValues.ToUInt32(netmask);

        var prefix = ConfigValues.PrefixLength(maskBits);
        if (prefix < 0) throw directive.Error($"{netmask} is not a netmask");
        if ((networkBits & maskBits) != networkBits)
            throw directive.Error($"{network} is not the network address of netmask {netmask} (did you mean {ConfigValues.FromUInt32(networkBits & maskBits)}?)");
        // OpenVPN needs room for the server (.1) and a pool from .2 with dev tun: /29 at most.
        if (prefix > 29)
            throw directive.Error($"a /{prefix} network leaves no room for clients: with dev tun the network must be /29 or larger");
        // OpenVPN stops at /16 (IFCONFIG_POOL_MIN_NETBITS); FleetVPN is built for fleets beyond 65,000 devices and allows up to /8.
        if (prefix < 8)
            throw directive.Error($"a /{prefix} network is too large: FleetVPN accepts /8 to /29");
        if (networkBits == 0) throw directive.Error("0.0.0.0 cannot be the tunnel network");

        _options.ServerNetwork = network;
        _options.ServerNetmask = netmask;
        _options.HasServer = true;
        _server = directive;
    }

    private void ApplyKeepalive(ConfigDirective directive)
    {
        var arguments = Expect(directive, 2, 2);
        var ping = ConfigValues.Integer(directive, arguments[0], "keepalive ping interval", 1, PingTimeoutMax);
        var restart = ConfigValues.Integer(directive, arguments[1], "keepalive restart timeout", 1, PingTimeoutMax);
        // Both checks are fatal in OpenVPN too (helper_keepalive in helper.c).
        if (ping * 2 > restart)
            throw directive.Error($"the restart timeout ({restart}) must be at least twice the ping interval ({ping}); the usual setting is 'keepalive 10 60'");
        if (restart > PingTimeoutMax / 2)
            throw directive.Error($"the restart timeout must not exceed {PingTimeoutMax / 2} in server mode (the server waits twice as long)");
        _options.KeepalivePing = ping;
        _options.KeepaliveRestart = restart;
    }

    private void ApplyCompLzo(ConfigDirective directive)
    {
        var arguments = Expect(directive, 0, 1);
        var mode = arguments.Count == 0 ? "adaptive" : arguments[0];
        switch (mode)
        {
            case "no": _options.CompLzoNo = true; break;
            case "yes" or "adaptive": throw directive.Error("not supported (FleetVPN never compresses: use 'comp-lzo no')");
            default: throw directive.Error("comp-lzo must be 'yes', 'no' or 'adaptive'");
        }
    }

    private void ApplyRenegSec(ConfigDirective directive)
    {
        var arguments = Expect(directive, 1, 2);
        if (arguments.Count == 2) throw directive.Error("not supported yet: the minimum argument (reneg-sec MAX MIN)");
        _options.RenegSeconds = ConfigValues.Integer(directive, arguments[0], "reneg-sec", 0, int.MaxValue);
    }

    private void ApplyCa(ConfigDirective directive)
    {
        _options.CaCertificates = KeyMaterialLoader.LoadCertificates(ReadKeyMaterial(directive), directive);
        _ca = directive;
    }

    private void ApplyCert(ConfigDirective directive)
    {
        var pem = ReadKeyMaterial(directive);
        var certificates = KeyMaterialLoader.LoadCertificates(pem, directive);
        var chain = new X509Certificate2Collection();
        for (var i = 1; i < certificates.Count; i++) chain.Add(certificates[i]);
        _options.ServerCertificateChain = chain;
        _cert = (directive, pem, _sequence);
    }

    private void ApplyKey(ConfigDirective directive)
    {
        var pem = ReadKeyMaterial(directive);
        KeyMaterialLoader.ValidatePrivateKey(pem, directive);
        _key = (directive, pem, _sequence);
    }

    private void ApplyDh(ConfigDirective directive)
    {
        // Accepted for compatibility and checked for readability, but never used: FleetVPN's TLS
        // offers only ECDHE (TLS 1.2) and TLS 1.3 key exchange, so finite-field DH parameters
        // have no role. 'dh none' says the same thing explicitly.
        if (directive.IsInline || Single(directive) == "none") return;
        ReadKeyMaterial(directive);
    }

    private void ApplyAuth(ConfigDirective directive)
    {
        var name = Single(directive);
        _options.Auth = HmacDigest.Find(name) ?? throw directive.Error(name == "none"
            ? "not supported (tls-auth and CBC data packets would go unauthenticated)"
            : $"digest '{name}' is not supported (FleetVPN supports {string.Join(", ", HmacDigest.All.Select(d => d.Name))})");
    }

    private void ApplyRemoteCertTls(ConfigDirective directive)
    {
        switch (Single(directive))
        {
            case "client": _options.RemoteCertTlsClient = true; break;
            case "server": throw directive.Error("not supported on a server ('remote-cert-tls server' is a client's check; a server uses 'remote-cert-tls client')");
            default: throw directive.Error("remote-cert-tls must be 'client' or 'server'");
        }
    }

    private void ApplyStatus(ConfigDirective directive)
    {
        var arguments = Expect(directive, 1, 2);
        _options.StatusFile = ConfigFiles.Resolve(_directory, arguments[0]);
        if (arguments.Count == 2)
            _options.StatusIntervalSeconds = ConfigValues.Integer(directive, arguments[1], "status interval", 1, int.MaxValue);
    }

    private static void ApplyMode(ConfigDirective directive)
    {
        switch (Single(directive))
        {
            case "server": break; // implied: FleetVPN is always a multi-client server
            case "p2p": throw directive.Error("not supported (FleetVPN is a multi-client server: mode server)");
            default: throw directive.Error("mode must be 'server' or 'p2p'");
        }
    }

    private void ApplyCd(ConfigDirective directive)
    {
        // OpenVPN changes the process directory at once; the parser moves the base of the relative paths
        // that follow, and `fleetvpn serve` changes the process directory to it once the file is read.
        var directory = ConfigFiles.Resolve(_directory, Single(directive));
        if (!Directory.Exists(directory))
            throw directive.Error($"cd to '{directory}' failed: No such file or directory");
        _directory = directory;
        _options.Process.Directory = directory;
    }

    private void ApplyClientConfigDir(ConfigDirective directive)
    {
        // OpenVPN checks the directory at start-up (check_file_access_chroot(..., R_OK|X_OK,
        // "--client-config-dir") in options.c); FleetVPN does the same at parse time.
        var path = ConfigFiles.Resolve(_directory, Single(directive));
        if (!ConfigFiles.TryCheckDirectory(path, out var reason))
            throw directive.Error($"cannot use {path}: {reason}");
        _options.ClientConfigDir = path;
    }

    private void ApplyMssFix(ConfigDirective directive)
    {
        var arguments = Expect(directive, 0, 2);
        if (arguments.Count == 2)
        {
            throw arguments[1] is "mtu" or "fixed"
                ? directive.Error($"not supported yet: the '{arguments[1]}' flag (FleetVPN clamps the MSS to the given size only)")
                : directive.Error($"'{arguments[1]}' is not a flag of mssfix (OpenVPN knows 'mtu' and 'fixed')");
        }
        // A bare 'mssfix' is OpenVPN's default, MSSFIX_DEFAULT; 0 turns clamping off.
        _options.MssFix = arguments.Count == 0 ? MssFixDefault : ConfigValues.Integer(directive, arguments[0], "mssfix", 0, 65535);
    }

    private void ApplyExplicitExitNotify(ConfigDirective directive)
    {
        // OpenVPN stores the count (1 without an argument); a server only asks "is it non-zero?":
        // then it sends RESTART to its clients when it shuts down.
        var arguments = Expect(directive, 0, 1);
        var count = arguments.Count == 0 ? 1 : ConfigValues.Integer(directive, arguments[0], "explicit-exit-notify", 0, int.MaxValue);
        _options.ExplicitExitNotify = count > 0;
    }

    private void ApplyUser(ConfigDirective directive)
    {
        var name = Single(directive);
        SystemAccounts.RequireUser(directive, name);
        _options.User = name;
    }

    private void ApplyGroup(ConfigDirective directive)
    {
        var name = Single(directive);
        SystemAccounts.RequireGroup(directive, name);
        _options.Group = name;
    }

    private void ApplyIfconfigPoolPersist(ConfigDirective directive)
    {
        var arguments = Expect(directive, 1, 2);
        _options.IfconfigPoolPersistFile = ConfigFiles.Resolve(_directory, arguments[0]);
        // 0 is OpenVPN's "read the file at start-up, never write it".
        if (arguments.Count == 2)
            _options.IfconfigPoolPersistSeconds = ConfigValues.Integer(directive, arguments[1], "ifconfig-pool-persist interval", 0, int.MaxValue);
    }

    private void ApplyPush(ConfigDirective directive) => _options.Push.Add(ConfigValues.PushOption(directive, Single(directive)));

    private void CheckDeviceType()
    {
        if (_devType is not null) return; // dev-type tun names the type whatever the device is called
        var name = _options.Device;
        if (name.StartsWith("tun", StringComparison.Ordinal)) return;
        var at = _dev ?? throw new InvalidOperationException("a device name other than tun* is only set by 'dev'");
        if (name.StartsWith("tap", StringComparison.Ordinal))
            throw at.Error("not supported (FleetVPN is layer 3 only: use dev tun)");
        if (name == "null")
            throw at.Error("not supported (a server needs a tun device)");
        throw at.Error($"cannot tell whether '{name}' is a tun or a tap device: add 'dev-type tun'");
    }

    private void CheckLocalMatchesProto()
    {
        if (_local is null || _options.Local is null) return;
        var isIPv6 = _options.Local.AddressFamily == AddressFamily.InterNetworkV6;
        if (isIPv6 && _options.AddressFamily == UdpAddressFamily.IPv4)
            throw _local.Error("an IPv6 address, but 'proto udp4' serves IPv4 only");
        if (!isIPv6 && _options.AddressFamily == UdpAddressFamily.IPv6)
            throw _local.Error("an IPv4 address, but 'proto udp6' serves IPv6 only");
    }

    /// <summary>The text of a key-material directive (PEM, or an OpenVPN static key): its inline block, or the file it names (the first argument).</summary>
    private string ReadKeyMaterial(ConfigDirective directive, int maxArguments = 1)
    {
        if (directive.IsInline) return directive.InlineContent!;
        var path = ConfigFiles.Resolve(_directory, Expect(directive, 1, maxArguments)[0]);
        if (!ConfigFiles.TryReadText(path, out var text, out var reason))
            throw directive.Error($"cannot read {path}: {reason}");
        return text;
    }

    private static string Single(ConfigDirective directive) => DirectiveArguments.Single(directive);

    private static void NoArguments(ConfigDirective directive) => DirectiveArguments.None(directive);

    private static IReadOnlyList<string> Expect(ConfigDirective directive, int min, int max) => DirectiveArguments.Expect(directive, min, max);
}
