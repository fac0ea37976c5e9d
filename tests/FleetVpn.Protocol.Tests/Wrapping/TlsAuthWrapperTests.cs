using FleetVpn.Protocol.DataChannel;
using FleetVpn.Protocol.Tests.Fixtures;
using FleetVpn.Protocol.Wire;
using FleetVpn.Protocol.Wrapping;

namespace FleetVpn.Protocol.Tests;

public class TlsAuthWrapperTests
{
    private static readonly StaticKey TaKey = StaticKey.Parse(VectorFields.KeyFileText("ta.key"));

    [Fact]
    public void ResetVectorHmacInputAndValue()
    {
        var v = FixtureFiles.PacketVector("tls-auth");
        var wire = v.HexField("udp_payload_hex");
        var input = v.HexField("hmac_input_hex");
        var mac = v.HexField("hmac_hex");

        // The documented swap_hmac() input: replay id ‖ time ‖ op ‖ sid ‖ rest.
        Assert.Equal([.. wire.AsSpan(29, 8), .. wire.AsSpan(0, 9), .. wire.AsSpan(37)], input);
        var computed = new byte[HmacDigest.Sha1.Length];
        HmacDigest.Sha1.Compute(TaKey.Hmac(1)[..20], input, computed);
        Assert.Equal(mac, computed);
        Assert.Equal(mac, wire[9..29]);

        using var server = new TlsAuthWrapper(TaKey, KeyDirection.Normal, HmacDigest.Sha1);
        using var client = new TlsAuthWrapper(TaKey, KeyDirection.Inverse, HmacDigest.Sha1);
        Assert.Equal(28, server.Overhead);
        var unwrapped = new byte[wire.Length];
        Assert.True(server.TryUnwrap(wire, unwrapped, out int length, out uint id, out uint time));
        Assert.Equal("381ffb5501c3fc8a590000000000", Convert.ToHexString(unwrapped, 0, length).ToLowerInvariant());
        Assert.Equal(1u, id);
        Assert.Equal(0x6b07b4a8u, time);

        var rewrapped = new byte[length + client.Overhead];
        Assert.Equal(wire.Length, client.Wrap(unwrapped.AsSpan(0, length), id, time, rewrapped));
        Assert.Equal(wire, rewrapped);
    }

    public static TheoryData<string, string> Sessions => new()
    {
        { "tls-auth", "SHA1" },
        { "auth-failed", "SHA1" },
        { "legacy-prf-cbc", "SHA512" },
        { "legacy-prf-gcm", "SHA256" },
    };

    /// <summary>
    /// Every control packet of the capture: the receiving side (server key-direction 0 for client→server,
    /// client key-direction 1 for server→client) unwraps it to what decoded.json says, and the sending side
    /// re-wraps it byte for byte.
    /// </summary>
    [Theory]
    [MemberData(nameof(Sessions))]
    public void EveryCapturedControlPacketUnwrapsAndRewrapsIdentically(string sessionName, string auth)
    {
        var digest = HmacDigest.Find(auth)!;
        var session = new CapturedSession(sessionName, digest.Length);
        using var server = new TlsAuthWrapper(TaKey, KeyDirection.Normal, digest);
        using var client = new TlsAuthWrapper(TaKey, KeyDirection.Inverse, digest);
        int count = 0;
        foreach (var p in session.ControlPackets)
        {
            var (receiver, sender) = p.ClientToServer ? (server, client) : (client, server);
            var unwrapped = new byte[p.Raw.Length];
            Assert.True(receiver.TryUnwrap(p.Raw, unwrapped, out int length, out uint id, out uint time), $"{sessionName} frame {p.Frame}");
            Assert.Equal(p.Raw.Length - digest.Length - 8, length);
            Assert.Equal(session.Unwrapped(p), unwrapped[..length]);
            ControlPacketExpectations.AssertMatchesDecoded(p, unwrapped.AsSpan(0, length), id, time);

            var rewrapped = new byte[p.Raw.Length];
            Assert.Equal(p.Raw.Length, sender.Wrap(unwrapped.AsSpan(0, length), id, time, rewrapped));
            Assert.Equal(Convert.ToHexString(p.Raw), Convert.ToHexString(rewrapped));

            // The other direction's key does not authenticate it.
            Assert.False(sender.TryUnwrap(p.Raw, unwrapped, out _, out _, out _), $"{sessionName} frame {p.Frame} opened with the wrong direction");
            count++;
        }
        Assert.True(count >= 15, $"only {count} control packets");
    }

    [Fact]
    public void AnyFlippedBitFailsForEveryCapturedPacket()
    {
        var session = new CapturedSession("tls-auth", 20);
        using var server = new TlsAuthWrapper(TaKey, KeyDirection.Normal, HmacDigest.Sha1);
        using var client = new TlsAuthWrapper(TaKey, KeyDirection.Inverse, HmacDigest.Sha1);
        var output = new byte[2048];
        foreach (var p in session.ControlPackets)
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
        var session = new CapturedSession("legacy-prf-cbc", 64);
        using var server = new TlsAuthWrapper(TaKey, KeyDirection.Normal, HmacDigest.Sha512);
        var output = new byte[2048];
        foreach (var p in session.ControlPackets.Where(p => p.ClientToServer))
        {
            for (int length = 0; length < p.Raw.Length; length++)
            {
                Assert.False(server.TryUnwrap(p.Raw.AsSpan(0, length), output, out int outLength, out _, out _), $"frame {p.Frame} length {length}");
                Assert.Equal(0, outLength);
            }
            Assert.False(server.TryUnwrap([.. p.Raw, 0], output, out _, out _, out _));
        }
    }

    [Fact]
    public void RandomInputNeverThrows()
    {
        var random = new Random(1234);
        using var wrapper = new TlsAuthWrapper(TaKey, KeyDirection.Normal, HmacDigest.Sha256);
        var output = new byte[300];
        for (int i = 0; i < 5_000; i++)
        {
            var packet = new byte[random.Next(0, 300)];
            random.NextBytes(packet);
            Assert.False(wrapper.TryUnwrap(packet, output.AsSpan(0, random.Next(0, 300)), out _, out _, out _));
        }
    }

    [Theory]
    [InlineData("SHA1")]
    [InlineData("SHA256")]
    [InlineData("SHA512")]
    public void RoundTripsBetweenPeersAndInTheBidirectionalMode(string auth)
    {
        var digest = HmacDigest.Find(auth)!;
        using var server = new TlsAuthWrapper(TaKey, KeyDirection.Normal, digest);
        using var client = new TlsAuthWrapper(TaKey, KeyDirection.Inverse, digest);
        using var bidirectional = new TlsAuthWrapper(TaKey, KeyDirection.Bidirectional, digest);
        Assert.Equal(digest.Length + 8, server.Overhead);
        Assert.True(server.HasReplayId);
        var payload = Enumerable.Range(0, 300).Select(i => (byte)i).ToArray();
        var plain = new byte[ControlPacket.GetSize(2, true, payload.Length)];
        int plainLength = ControlPacket.Write(plain, Opcode.ControlV1, 3, new SessionId(0x1122334455667788), [4u, 5u],
            new SessionId(0x99aabbccddeeff00), 6, payload);

        foreach (var (sender, receiver) in new[] { (server, client), (client, server), (bidirectional, bidirectional) })
        {
            var wire = new byte[plainLength + sender.Overhead + 10];
            int wireLength = sender.Wrap(plain.AsSpan(0, plainLength), 77, 0x6b000000, wire);
            Assert.Equal(plainLength + sender.Overhead, wireLength);

            // Exactly-sized output (uses pooled scratch space) and a roomy one give the same result.
            foreach (int size in new[] { plainLength, plainLength + 100 })
            {
                var output = new byte[size];
                Assert.True(receiver.TryUnwrap(wire.AsSpan(0, wireLength), output, out int length, out uint id, out uint time));
                Assert.Equal(plain[..plainLength], output[..length]);
                Assert.Equal(77u, id);
                Assert.Equal(0x6b000000u, time);
            }
            Assert.False(receiver.TryUnwrap(wire.AsSpan(0, wireLength), new byte[plainLength - 1], out _, out _, out _));
        }
        var own = new byte[plainLength + server.Overhead];
        server.Wrap(plain.AsSpan(0, plainLength), 1, 1, own);
        Assert.False(server.TryUnwrap(own, new byte[own.Length], out _, out _, out _));
    }

    [Fact]
    public void WrapRefusesBadArguments()
    {
        using var wrapper = new TlsAuthWrapper(TaKey, KeyDirection.Normal, HmacDigest.Sha1);
        Assert.Throws<ArgumentException>(() => wrapper.Wrap(new byte[8], 1, 1, new byte[100]));
        Assert.Throws<ArgumentException>(() => wrapper.Wrap(new byte[14], 1, 1, new byte[14 + 27]));
    }
}
