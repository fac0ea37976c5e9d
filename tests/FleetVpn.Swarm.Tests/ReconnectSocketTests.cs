using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FleetVpn.Swarm;

namespace FleetVpn.Swarm.Tests;

/// <summary>
/// A reconnecting simulated client takes a new source port (a new socket) and closes the old one, as the real
/// openvpn client with <c>nobind</c> does on every restart. A loopback UDP socket plays the server and only
/// receives the hard resets.
/// </summary>
public sealed class ReconnectSocketTests : IDisposable
{
    private const byte HardResetClientV2 = 7 << 3;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"fvswarm-{Environment.ProcessId}-{Guid.NewGuid():N}");
    private readonly Socket _server = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private SwarmSockets? _sockets;

    public ReconnectSocketTests()
    {
        _server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _server.ReceiveTimeout = 5000;
        WritePki(_directory);
    }

    public void Dispose()
    {
        _server.Dispose();
        _sockets?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void Reconnect_opens_a_new_socket_on_a_new_port_and_closes_the_old_one()
    {
        var client = NewClient(TimeSpan.FromSeconds(60));
        try
        {
            client.Start();
            int first = ReceiveHardResetPort();
            Assert.Equal(first, client.LocalPort);

            client.Reconnect(notifyExit: false);
            int second = ReceiveHardResetPort();
            Assert.NotEqual(first, second);
            Assert.Equal(second, client.LocalPort);
            Assert.Equal(2, client.SocketsOpened);
            AssertPortClosed(first);
        }
        finally
        {
            client.Stop();
        }
    }

    [Fact]
    public void Retry_after_a_failed_attempt_opens_a_new_socket()
    {
        var client = NewClient(TimeSpan.FromMilliseconds(50));
        try
        {
            client.Start();
            int first = ReceiveHardResetPort();
            long now = SimulatedClient.NowMs;
            client.Tick(now + 100);             // handshake timeout: back-off of 1 s
            Assert.Equal(1, client.SocketsOpened);
            client.Tick(now + 100 + 1000);      // retry
            int second = ReceiveHardResetPort();
            Assert.NotEqual(first, second);
            Assert.Equal(2, client.SocketsOpened);
            AssertPortClosed(first);
        }
        finally
        {
            client.Stop();
        }
    }

    [Fact]
    public void With_its_own_source_address_a_client_reconnects_from_the_next_shared_port()
    {
        var client = NewClient(TimeSpan.FromSeconds(60), SourceAddressPlan.Create(IPAddress.Loopback, 1, "127.0.3.0/24"));
        try
        {
            client.Start();
            var (firstAddress, first) = ReceiveHardResetFrom();
            Assert.Equal(IPAddress.Parse("127.0.3.1"), firstAddress);
            Assert.Equal(first, client.LocalPort);

            client.Reconnect(notifyExit: false);
            var (secondAddress, second) = ReceiveHardResetFrom();
            Assert.Equal(firstAddress, secondAddress);
            Assert.NotEqual(first, second);
            Assert.Equal(second, client.LocalPort);
        }
        finally
        {
            client.Stop();
        }
    }

    private SimulatedClient NewClient(TimeSpan handshakeTimeout, SourceAddressPlan? plan = null)
    {
        var options = new SwarmOptions
        {
            Remote = (IPEndPoint)_server.LocalEndPoint!,
            Clients = 1,
            Pki = SwarmPki.Load(_directory),
            HandshakeTimeout = handshakeTimeout,
        };
        _sockets = new SwarmSockets(options.Remote, 1, plan ?? SourceAddressPlan.Fixed(IPAddress.Loopback));
        return new SimulatedClient(0, options, new SwarmStats(), _sockets);
    }

    private int ReceiveHardResetPort() => ReceiveHardResetFrom().Port;

    private (IPAddress Address, int Port) ReceiveHardResetFrom()
    {
        var buffer = new byte[2048];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        int n = _server.ReceiveFrom(buffer, ref from);
        Assert.True(n > 0);
        Assert.Equal(HardResetClientV2, buffer[0]);
        var endpoint = (IPEndPoint)from;
        return (endpoint.Address, endpoint.Port);
    }

    /// <summary>The old socket is closed: its port can be bound again.</summary>
    private static void AssertPortClosed(int port)
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, port));
    }

    internal static void WritePki(string directory)
    {
        Directory.CreateDirectory(Path.Combine(directory, "issued"));
        Directory.CreateDirectory(Path.Combine(directory, "private"));
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Swarm Unit CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));
        File.WriteAllText(Path.Combine(directory, "ca.crt"), ca.ExportCertificatePem() + "\n");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=client", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var certificate = request.Create(ca, now.AddHours(-1), now.AddDays(1), [1, 2, 3, 4]);
        File.WriteAllText(Path.Combine(directory, "issued", "client.crt"), certificate.ExportCertificatePem() + "\n");
        File.WriteAllText(Path.Combine(directory, "private", "client.key"), key.ExportPkcs8PrivateKeyPem() + "\n");
    }
}
