using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using FleetVpn.Protocol.Wire;
using FleetVpn.Protocol.Wrapping;
using FleetVpn.Swarm;

namespace FleetVpn.Swarm.Tests;

/// <summary>
/// With tls-crypt the simulated client checks the packet-id of every authentic control packet against a
/// <see cref="TimedReplayWindow"/>: a replayed server packet is dropped, a new packet-id is accepted.
/// A loopback UDP socket plays the server: it answers the client's hard reset with a server hard reset.
/// </summary>
public sealed class ControlReplayTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"fvswarm-{Environment.ProcessId}-{Guid.NewGuid():N}");
    private readonly Socket _server = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private SwarmSockets? _sockets;
    private readonly StaticKey _key = new(RandomNumberGenerator.GetBytes(StaticKey.Size));

    public ControlReplayTests()
    {
        _server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _server.ReceiveTimeout = 5000;
        ReconnectSocketTests.WritePki(_directory);
    }

    public void Dispose()
    {
        _server.Dispose();
        _sockets?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_replayed_server_control_packet_is_dropped_and_a_new_packet_id_accepted()
    {
        using var clientWrapper = new TlsCryptWrapper(_key, isServer: false);
        using var serverWrapper = new TlsCryptWrapper(_key, isServer: true);
        var stats = new SwarmStats();
        var options = new SwarmOptions
        {
            Remote = (IPEndPoint)_server.LocalEndPoint!,
            Clients = 1,
            Pki = SwarmPki.Load(_directory),
            Wrapper = clientWrapper,
        };
        _sockets = new SwarmSockets(options.Remote, 1, SourceAddressPlan.Fixed(IPAddress.Loopback));
        var client = new SimulatedClient(0, options, stats, _sockets);
        try
        {
            client.Start();
            var buffer = new byte[2048];
            EndPoint from = new IPEndPoint(IPAddress.Any, 0);
            int n = _server.ReceiveFrom(buffer, ref from);
            var plain = new byte[2048];
            Assert.True(serverWrapper.TryUnwrap(buffer.AsSpan(0, n), plain, out int length, out _, out _));
            Assert.True(ControlPacket.TryParse(plain.AsSpan(0, length), out var reset));
            Assert.Equal(Opcode.ControlHardResetClientV2, reset.Opcode);

            var own = SessionId.NewRandom();
            var unwrapped = new byte[ControlPacket.GetSize(1, true, 0)];
            ControlPacket.Write(unwrapped, Opcode.ControlHardResetServerV2, 0, own, [0u], reset.SessionId, 0, default);
            uint time = (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            byte[] Wrap(uint id)
            {
                var wrapped = new byte[unwrapped.Length + serverWrapper.Overhead];
                int len = serverWrapper.Wrap(unwrapped, id, time, wrapped);
                return wrapped[..len];
            }

            var first = Wrap(1);
            _server.SendTo(first, from);
            _server.SendTo(first, from);            // the same datagram again: a replay
            await WaitForAsync(() => client.ControlReplaysDropped >= 1);
            Assert.Equal(1, client.ControlReplaysDropped);
            Assert.Equal(1, stats.ControlReplays);

            _server.SendTo(Wrap(2), from);          // a retransmission with a new packet-id: accepted
            _server.SendTo(Wrap(1), from);          // an old packet-id: a replay
            await WaitForAsync(() => client.ControlReplaysDropped >= 2);
            await Task.Delay(200);
            Assert.Equal(2, client.ControlReplaysDropped);
        }
        finally
        {
            client.Stop();
        }
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (!condition() && DateTime.UtcNow < deadline) await Task.Delay(20);
    }
}
