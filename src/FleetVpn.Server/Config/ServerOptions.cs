using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace FleetVpn.Server.Config;

/// <summary>
/// The typed, validated result of reading a server.conf (plus command-line overrides).
/// Every field carries OpenVPN's default when the directive is absent.
/// </summary>
public sealed class ServerOptions
{
    /// <summary>`local ADDR`: address to bind; null binds all (0.0.0.0 / ::).</summary>
    public IPAddress? Local { get; set; }

    /// <summary>`proto udp|udp4|udp6`: the address families served (default udp: both).</summary>
    public UdpAddressFamily AddressFamily { get; set; } = UdpAddressFamily.Any;

    /// <summary>`port N` (default 1194).</summary>
    public int Port { get; set; } = 1194;

    /// <summary>`dev tun` / `dev tunN`: the requested device name ("tun" means the kernel picks tunN).</summary>
    public string Device { get; set; } = "tun";

    /// <summary>`tun-mtu N` (default 1500).</summary>
    public int TunMtu { get; set; } = 1500;

    /// <summary>`server NET MASK`: the tunnel network.</summary>
    public IPAddress ServerNetwork { get; set; } = IPAddress.Parse("10.8.0.0");

    /// <summary>`server NET MASK`: the netmask.</summary>
    public IPAddress ServerNetmask { get; set; } = IPAddress.Parse("255.255.255.0");

    /// <summary>True once `server` was given (it is required).</summary>
    public bool HasServer { get; set; }

    /// <summary>`fleet-node I K`: this server is node I (1..K) of K sharing the `server` network; 0 = a lone server.</summary>
    public int FleetNode { get; set; }

    /// <summary>`fleet-node I K`: how many nodes share the `server` network; 0 = a lone server.</summary>
    public int FleetNodes { get; set; }

    /// <summary>`keepalive A B`: ping interval in seconds (0 = off).</summary>
    public int KeepalivePing { get; set; }

    /// <summary>`keepalive A B`: the B the client is told (server itself uses 2*B, as OpenVPN does).</summary>
    public int KeepaliveRestart { get; set; }

    /// <summary>`verb N` (default 1).</summary>
    public int Verb { get; set; } = 1;

    /// <summary>`mute N` (0 = off).</summary>
    public int Mute { get; set; }

    /// <summary>`daemon`, `syslog`, `log`, `log-append`, `writepid`, `cd`: how the process runs and where it logs.</summary>
    public ProcessSettings Process { get; } = new();

    /// <summary>`reneg-sec N` (default 3600; 0 = the server never starts one).</summary>
    public int RenegSeconds { get; set; } = 3600;

    /// <summary>`max-clients N` (default 1024, OpenVPN's default).</summary>
    public int MaxClients { get; set; } = 1024;

    /// <summary>`connect-freq-initial N SEC`: stateless replies to initial resets (default 100 per 10 s, as OpenVPN 2.6).</summary>
    public ConnectRate ConnectFreqInitial { get; set; } = new(100, 10);

    /// <summary>`connect-freq N SEC`: new clients admitted after the cookie exchange; null (the default) = no limit.</summary>
    public ConnectRate? ConnectFreq { get; set; }

    /// <summary>`connect-freq-per-source N`: the share of each of those budgets one source address may take (default 10; 0 = no limit).</summary>
    public int ConnectFreqPerSource { get; set; } = 10;

    /// <summary>`ca FILE` or inline &lt;ca&gt;: the trust anchors for client certificates.</summary>
    public X509Certificate2Collection CaCertificates { get; set; } = new();

    /// <summary>`cert` + `key`: the server certificate with its private key.</summary>
    public X509Certificate2? ServerCertificate { get; set; }

    /// <summary>`cert FILE`: the certificates after the first in the cert file (intermediates sent with the server certificate).</summary>
    public X509Certificate2Collection ServerCertificateChain { get; set; } = new();

    /// <summary>`data-ciphers A:B:C` in the server's order of preference (OpenVPN's canonical names, upper case).</summary>
    public IReadOnlyList<string> DataCiphers { get; set; } = ["AES-256-GCM", "AES-128-GCM", "CHACHA20-POLY1305"];

    /// <summary>`remote-cert-tls client`: require the clientAuth EKU on client certificates.</summary>
    public bool RemoteCertTlsClient { get; set; }

    /// <summary>`status FILE [N]`: path (null = no status file).</summary>
    public string? StatusFile { get; set; }

    /// <summary>`status FILE [N]`: rewrite interval in seconds (default 60).</summary>
    public int StatusIntervalSeconds { get; set; } = 60;

    /// <summary>`persist-key`, `persist-tun`: accepted (FleetVPN never drops keys or the tun on a soft restart).</summary>
    public bool PersistKey { get; set; }

    /// <summary>See <see cref="PersistKey"/>.</summary>
    public bool PersistTun { get; set; }

    /// <summary>
    /// `comp-lzo no`: accepted. The engine does not rely on it: each client's framing (the 0xFA "not
    /// compressed" byte) follows that client's own options string, so clients with and without comp-lzo mix.
    /// </summary>
    public bool CompLzoNo { get; set; }

    /// <summary>`hand-window N` (default 60 s): how long a TLS handshake may take.</summary>
    public int HandWindowSeconds { get; set; } = 60;

    /// <summary>`tls-timeout N` (default 2 s): first control-channel retransmit timeout.</summary>
    public int TlsTimeoutSeconds { get; set; } = 2;

    /// <summary>`tran-window N` (default 3600 s): how long the previous key stays valid after a renegotiation.</summary>
    public int TransitionWindowSeconds { get; set; } = 3600;

    /// <summary>`tls-auth FILE [DIR]` / `tls-crypt FILE`: the control-channel wrapper; <see cref="FleetVpn.Protocol.Wrapping.NoWrapper"/> when neither is set.</summary>
    public FleetVpn.Protocol.Wrapping.IControlWrapper ControlWrapper { get; set; } = FleetVpn.Protocol.Wrapping.NoWrapper.Instance;

    /// <summary>What <see cref="ControlWrapper"/> is, for logs: "none", "tls-auth" or "tls-crypt".</summary>
    public string ControlWrapperName { get; set; } = "none";

    /// <summary>
    /// `tls-crypt-v2 SERVER_KEY`: unwraps the client keys of V3 resets and WKC_V1 packets; null without it. With it,
    /// V2 resets are accepted only through tls-auth / tls-crypt (<see cref="StaticWrapperAccepted"/> is false).
    /// </summary>
    public FleetVpn.Protocol.Wrapping.TlsCryptV2ServerKey? TlsCryptV2 { get; set; }

    /// <summary>`tls-crypt-v2-max-age DAYS`: client keys need TIMESTAMP metadata at most this old; 0 = no limit.</summary>
    public int TlsCryptV2MaxAgeDays { get; set; }

    /// <summary>Whether <see cref="ControlWrapper"/> may admit a client: always, except with tls-crypt-v2 and no tls-auth / tls-crypt (nothing may go unwrapped then).</summary>
    public bool StaticWrapperAccepted => TlsCryptV2 is null || ControlWrapper.HasReplayId;

    /// <summary>`auth DIGEST` (default SHA1): the tls-auth HMAC, and the CBC data-channel HMAC for clients that do not name one.</summary>
    public FleetVpn.Protocol.DataChannel.HmacDigest Auth { get; set; } = FleetVpn.Protocol.DataChannel.HmacDigest.Sha1;

    /// <summary>`data-ciphers-fallback NAME`: the cipher for clients that negotiate nothing (2.3/2.4 without NCP); null = refuse them.</summary>
    public string? DataCiphersFallback { get; set; }

    /// <summary>`client-config-dir DIR`: per-client files named after the certificate's common name (then DEFAULT).</summary>
    public string? ClientConfigDir { get; set; }

    /// <summary>`ccd-exclusive`: refuse clients without a client-config-dir file.</summary>
    public bool CcdExclusive { get; set; }

    /// <summary>`mssfix N` (0 = off; OpenVPN's default is 1492 with encapsulation accounting, FleetVPN clamps only when set).</summary>
    public int MssFix { get; set; }

    /// <summary>`explicit-exit-notify [N]` on the server: tell clients to reconnect (RESTART) on shutdown.</summary>
    public bool ExplicitExitNotify { get; set; }

    /// <summary>`user NAME`: drop privileges to this user once the tun and socket exist.</summary>
    public string? User { get; set; }

    /// <summary>`group NAME`: drop privileges to this group.</summary>
    public string? Group { get; set; }

    /// <summary>`duplicate-cn`: allow several clients with one common name (off: a newcomer replaces the old one).</summary>
    public bool DuplicateCn { get; set; }

    /// <summary>`client-to-client`: route client-to-client traffic inside the server instead of through the tun.</summary>
    public bool ClientToClient { get; set; }

    /// <summary>`ifconfig-pool-persist FILE [N]`: where pool addresses are kept across restarts.</summary>
    public string? IfconfigPoolPersistFile { get; set; }

    /// <summary>`ifconfig-pool-persist FILE [N]`: how often (seconds) the file is rewritten (default 600).</summary>
    public int IfconfigPoolPersistSeconds { get; set; } = 600;

    /// <summary>`workers N` (FleetVPN): worker threads, each with its own socket on the port and tun queue; 0 = one per CPU the process may use.</summary>
    public int Workers { get; set; }

    /// <summary>`worker-cpus LIST|auto` (FleetVPN): the CPUs workers are pinned to in turn; empty = auto (the process's CPUs); null = not pinned.</summary>
    public IReadOnlyList<int>? WorkerCpus { get; set; }

    /// <summary>`rcvbuf N`: the receive buffer each worker socket asks for, in bytes; null = FleetVPN's 4 MiB.</summary>
    public int? ReceiveBufferBytes { get; set; }

    /// <summary>`sndbuf N`: the send buffer each worker socket asks for, in bytes; null = FleetVPN's 4 MiB.</summary>
    public int? SendBufferBytes { get; set; }

    /// <summary>`metrics ADDRESS PORT` (FleetVPN): where Prometheus metrics are served at /metrics; null = not served.</summary>
    public IPEndPoint? MetricsEndPoint { get; set; }

    /// <summary>Every `push "..."` option, in order, sent to all clients after the built-in ones.</summary>
    public List<string> Push { get; } = new();

    /// <summary>`status-version 1|2|3`: the status file's format, and the management `status` default (default 1).</summary>
    public int StatusVersion { get; set; } = 1;

    /// <summary>`crl-verify FILE` or `crl-verify DIR dir`: the revocation check of client certificates; null = none.</summary>
    public FleetVpn.ControlChannel.Revocation.IRevocationCheck? Revocation { get; set; }

    /// <summary>`tls-version-min`: the TLS versions offered (default 1.2 and 1.3).</summary>
    public System.Security.Authentication.SslProtocols TlsProtocols { get; set; } =
        System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13;

    /// <summary>`tls-cipher` + `tls-ciphersuites`: the TLS suites offered, 1.2 then 1.3; null = the TLS library's defaults.</summary>
    public IReadOnlyList<System.Net.Security.TlsCipherSuite>? TlsCipherSuites { get; set; }

    /// <summary>What the config asked for that is accepted but not done as written (e.g. `ecdh-curve`), logged at start-up.</summary>
    public List<string> Warnings { get; } = new();

    /// <summary>`management IP PORT [PWFILE]` or `management PATH unix [PWFILE]`: the management listener; null = none.</summary>
    public ManagementEndpoint? Management { get; set; }

    /// <summary>`script-security N` (default 1): 2 lets user scripts run, 3 lets passwords go to them in the environment (via-env).</summary>
    public int ScriptSecurity { get; set; } = 1;

    /// <summary>`client-connect CMD`: run when a client has authenticated; its dynamic config file (the last argument) is applied as a ccd file, a non-zero exit refuses the client.</summary>
    public FleetVpn.Server.Scripts.ScriptCommand? ClientConnect { get; set; }

    /// <summary>`client-disconnect CMD`: run when a client that connected goes.</summary>
    public FleetVpn.Server.Scripts.ScriptCommand? ClientDisconnect { get; set; }

    /// <summary>`auth-user-pass-verify CMD METHOD`: checks the username and password a client sends (key method 2); a non-zero exit refuses it.</summary>
    public FleetVpn.Server.Scripts.ScriptCommand? AuthUserPassVerify { get; set; }

    /// <summary>`auth-user-pass-verify CMD METHOD`: via-file or via-env.</summary>
    public FleetVpn.Server.Scripts.PasswordPassing AuthUserPassVerifyMethod { get; set; }

    /// <summary>`username-as-common-name`: the authenticated username stands for the certificate's CN (ccd, duplicate-cn, logs, scripts).</summary>
    public bool UsernameAsCommonName { get; set; }

    /// <summary>`tmp-dir DIR`: where the scripts' temporary files go (the client-connect dynamic config, via-file's credentials); null = $TMPDIR or /tmp.</summary>
    public string? TmpDir { get; set; }

    /// <summary>A shallow copy (the lists are shared: options are never changed once built).</summary>
    public ServerOptions Copy() => (ServerOptions)MemberwiseClone();
}
