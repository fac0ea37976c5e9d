using FleetVpn.Protocol.Tests.Fixtures;
using FleetVpn.Protocol.Wire;
using FleetVpn.Protocol.Wrapping;

namespace FleetVpn.Protocol.Tests;

public class TlsCryptWrapperTests
{
    private static readonly StaticKey TcKey = StaticKey.Parse(VectorFields.KeyFileText("tc.key"));

    private static List<string> VectorNameList() =>
        FixtureFiles.Json("packet-vectors.json")["vectors"]!.AsArray()
            .Select(v => v!["name"]!.GetValue<string>())
            .Where(name => name.StartsWith("tls-crypt control packet", StringComparison.Ordinal))
            .ToList();

    public static TheoryData<string> VectorNames => new(VectorNameList());

    [Fact]
    public void FourVectors() => Assert.Equal(4, VectorNameList().Count);

    [Theory]
    [MemberData(nameof(VectorNames))]
    public void UnwrapsAndRewrapsThePacketVectors(string name)
    {
        var v = FixtureFiles.PacketVector(name);
        var wire = v.HexField("udp_payload_hex");
        var header = v.HexField("header_hex");
        var decrypted = v.HexField("decrypted_hex");
        Assert.Equal(header, wire[..17]);
        Assert.Equal(v.HexField("tag_hex"), wire[17..49]);
        bool clientToServer = v["direction"]!.GetValue<string>() == "client->server";

        using var server = new TlsCryptWrapper(TcKey, isServer: true);
        using var client = new TlsCryptWrapper(TcKey, isServer: false);
        var (receiver, sender) = clientToServer ? (server, client) : (client, server);
        var unwrapped = new byte[wire.Length];
        Assert.True(receiver.TryUnwrap(wire, unwrapped, out int length, out uint id, out uint time));
        Assert.Equal(Convert.ToHexString([.. header.AsSpan(0, 9), .. decrypted]), Convert.ToHexString(unwrapped, 0, length));
        var replay = ReplayPacketId.Read(header.AsSpan(9));
        Assert.Equal(replay.Id, id);
        Assert.Equal(replay.Time, time);
        Assert.True(ControlPacket.TryParse(unwrapped.AsSpan(0, length), out _));

        var rewrapped = new byte[length + sender.Overhead];
        Assert.Equal(wire.Length, sender.Wrap(unwrapped.AsSpan(0, length), id, time, rewrapped));
        Assert.Equal(Convert.ToHexString(wire), Convert.ToHexString(rewrapped));

        Assert.False(sender.TryUnwrap(wire, unwrapped, out _, out _, out _), "opened with the wrong direction's keys");
    }

    public static TheoryData<string> Sessions => new() { "tls-crypt", "compress-stub", "compress-migrate", "float" };

    /// <summary>
    /// Every key-id 0 control packet unwraps to what decoded.json says and re-wraps byte for byte. Key-id &gt; 0
    /// packets of the tls-crypt session are wrapped with the dynamic tls-crypt key (§3.7, out of scope): they are
    /// skipped, and the static key must not open them.
    /// </summary>
    [Theory]
    [MemberData(nameof(Sessions))]
    public void EveryCapturedKeyId0ControlPacketUnwrapsAndRewrapsIdentically(string sessionName)
    {
        var session = new CapturedSession(sessionName);
        using var server = new TlsCryptWrapper(TcKey, isServer: true);
        using var client = new TlsCryptWrapper(TcKey, isServer: false);
        int unwrappedCount = 0, dynamicCount = 0;
        foreach (var p in session.ControlPackets)
        {
            var (receiver, sender) = p.ClientToServer ? (server, client) : (client, server);
            var unwrapped = new byte[p.Raw.Length];
            if (p.Decoded["key_id"]!.GetValue<int>() > 0)
            {
                Assert.StartsWith("dynamic tls-crypt", p.Decoded["wrap"]!.GetValue<string>(), StringComparison.Ordinal);
                Assert.False(receiver.TryUnwrap(p.Raw, unwrapped, out _, out _, out _), $"frame {p.Frame}: key-id > 0 opened with the static key");
                dynamicCount++;
                continue;
            }
            Assert.True(receiver.TryUnwrap(p.Raw, unwrapped, out int length, out uint id, out uint time), $"{sessionName} frame {p.Frame}");
            Assert.Equal(p.Raw.Length - 40, length);
            ControlPacketExpectations.AssertMatchesDecoded(p, unwrapped.AsSpan(0, length), id, time);

            var rewrapped = new byte[p.Raw.Length];
            Assert.Equal(p.Raw.Length, sender.Wrap(unwrapped.AsSpan(0, length), id, time, rewrapped));
            Assert.Equal(Convert.ToHexString(p.Raw), Convert.ToHexString(rewrapped));
            Assert.False(sender.TryUnwrap(p.Raw, unwrapped, out _, out _, out _));
            unwrappedCount++;
        }
        Assert.True(unwrappedCount >= 15, $"only {unwrappedCount} key-id 0 control packets");
        if (sessionName == "tls-crypt") Assert.Equal(18, dynamicCount);
    }

    [Fact]
    public void TlsStreamOfTheCaptureReassemblesFromUnwrappedPackets()
    {
        // The ClientHello starts the client's TLS stream: msg-pid 1 payload begins with a TLS handshake record.
        var session = new CapturedSession("tls-crypt");
        using var server = new TlsCryptWrapper(TcKey, isServer: true);
        var first = session.ControlPackets.First(p => p.ClientToServer && p.Decoded["msg_packet_id"]?.GetValue<uint>() == 1 && p.Decoded["key_id"]!.GetValue<int>() == 0);
        var unwrapped = new byte[first.Raw.Length];
        Assert.True(server.TryUnwrap(first.Raw, unwrapped, out int length, out _, out _));
        Assert.True(ControlPacket.TryParse(unwrapped.AsSpan(0, length), out var packet));
        Assert.Equal(0x16, packet.Payload[0]); // TLS handshake record
        Assert.Equal(0x01, packet.Payload[5]); // ClientHello
    }

    [Fact]
    public void AnyFlippedBitFails()
    {
        var session = new CapturedSession("tls-crypt");
        using var server = new TlsCryptWrapper(TcKey, isServer: true);
        using var client = new TlsCryptWrapper(TcKey, isServer: false);
        var output = new byte[2048];
        foreach (var p in session.ControlPackets.Where(p => p.Decoded["key_id"]!.GetValue<int>() == 0))
        {
            var receiver = p.ClientToServer ? server : client;
            var damaged = (byte[])p.Raw.Clone();
            for (int index = 0; index < damaged.Length; index++)
            {
                for (int bit = 0; bit < 8; bit++)
                {
                    damaged[index] ^= (byte)(1 << bit);
                    Assert.False(receiver.TryUnwrap(damaged, output, out _, out _, out _), $"frame {p.Frame} byte {index} bit {bit}");
                    damaged[index] ^= (byte)(1 << bit);
                }
            }
            Assert.True(receiver.TryUnwrap(damaged, output, out _, out _, out _));
        }
    }

    [Fact]
    public void TruncatedAndExtendedPacketsFailWithoutExceptions()
    {
        using var server = new TlsCryptWrapper(TcKey, isServer: true);
        var output = new byte[2048];
        foreach (var name in VectorNameList())
        {
            var v = FixtureFiles.PacketVector(name);
            if (v["direction"]!.GetValue<string>() != "client->server") continue;
            var wire = v.HexField("udp_payload_hex");
            for (int length = 0; length < wire.Length; length++)
            {
                Assert.False(server.TryUnwrap(wire.AsSpan(0, length), output, out int outLength, out _, out _), $"{name} length {length}");
                Assert.Equal(0, outLength);
            }
            Assert.False(server.TryUnwrap([.. wire, 0], output, out _, out _, out _));
            Assert.True(server.TryUnwrap(wire, output, out _, out _, out _));
        }
    }

    [Fact]
    public void RandomInputNeverThrows()
    {
        var random = new Random(4321);
        using var wrapper = new TlsCryptWrapper(TcKey, isServer: true);
        var output = new byte[300];
        for (int i = 0; i < 5_000; i++)
        {
            var packet = new byte[random.Next(0, 300)];
            random.NextBytes(packet);
            Assert.False(wrapper.TryUnwrap(packet, output.AsSpan(0, random.Next(0, 300)), out _, out _, out _));
        }
    }

    [Fact]
    public void RoundTripsBothWaysWithAnyBufferSize()
    {
        using var server = new TlsCryptWrapper(TcKey, isServer: true);
        using var client = new TlsCryptWrapper(TcKey, isServer: false);
        Assert.Equal(40, server.Overhead);
        Assert.True(server.IsServer);
        Assert.False(client.IsServer);
        foreach (int payloadLength in new[] { 0, 1, 15, 16, 17, 511, 512, 513, 1250 })
        {
            var payload = Enumerable.Range(0, payloadLength).Select(i => (byte)(i * 3)).ToArray();
            var plain = new byte[ControlPacket.GetSize(1, true, payloadLength)];
            int plainLength = ControlPacket.Write(plain, Opcode.ControlV1, 0, new SessionId(42), [9u], new SessionId(43), 10, payload);
            foreach (var (sender, receiver) in new[] { (server, client), (client, server) })
            {
                var wire = new byte[plainLength + 40];
                Assert.Equal(wire.Length, sender.Wrap(plain, 5, 6, wire));
                foreach (int size in new[] { plainLength, plainLength + 8, plainLength + 100 })
                {
                    var output = new byte[size];
                    Assert.True(receiver.TryUnwrap(wire, output, out int length, out uint id, out uint time));
                    Assert.Equal(plain, output[..length]);
                    Assert.Equal((5u, 6u), (id, time));
                }
                Assert.False(receiver.TryUnwrap(wire, new byte[plainLength - 1], out _, out _, out _));
                Assert.False(sender.TryUnwrap(wire, new byte[wire.Length], out _, out _, out _));
            }
        }
    }

    [Fact]
    public void OneInstanceIsSafeToShareBetweenThreads()
    {
        using var server = new TlsCryptWrapper(TcKey, isServer: true);
        using var client = new TlsCryptWrapper(TcKey, isServer: false);
        Parallel.For(0, 2_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var payload = new byte[i % 700];
            Random.Shared.NextBytes(payload);
            var plain = new byte[ControlPacket.GetSize(0, true, payload.Length)];
            ControlPacket.Write(plain, Opcode.ControlV1, 0, new SessionId((ulong)i + 1), [], default, (uint)i, payload);
            var wire = new byte[plain.Length + 40];
            client.Wrap(plain, (uint)i + 1, 7, wire);
            var output = new byte[wire.Length];
            Assert.True(server.TryUnwrap(wire, output, out int length, out uint id, out _));
            Assert.Equal(plain, output[..length]);
            Assert.Equal((uint)i + 1, id);
        });
    }
}
