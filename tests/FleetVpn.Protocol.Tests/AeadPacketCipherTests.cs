using System.Buffers.Binary;
using FleetVpn.Protocol.DataChannel;
using FleetVpn.Protocol.Keys;
using FleetVpn.Protocol.Messages;
using FleetVpn.Protocol.Tests.Fixtures;
using FleetVpn.Protocol.Wire;

namespace FleetVpn.Protocol.Tests;

public class AeadPacketCipherTests
{
    [Fact]
    public void OpensTheDataV2Vector()
    {
        var v = FixtureFiles.PacketVector("DATA_V2 AES-256-GCM");
        var packet = FixtureFiles.Hex(v["udp_payload_hex"]);
        var key = FixtureFiles.Hex(v["key_hex"]);
        var implicitIv = FixtureFiles.Hex(v["implicit_iv_hex"]);
        var expected = FixtureFiles.Hex(v["plaintext_hex"]);
        Assert.Equal(FixtureFiles.Hex(v["aad_hex"]), packet[..8]);
        Assert.Equal(FixtureFiles.Hex(v["tag_hex"]), packet[8..24]);
        Assert.Equal(FixtureFiles.Hex(v["nonce_hex"]), packet[4..8].Concat(implicitIv).ToArray());

        // Slot 0 (client->server) holds the vector's key in cipher[0:32] and the implicit IV in hmac[0:8].
        var material = new byte[KeyMaterial.Size];
        key.CopyTo(material, 0);
        implicitIv.CopyTo(material, KeyMaterial.CipherSize);
        using var cipher = new AeadPacketCipher(DataCipher.Aes256Gcm, new KeyMaterial(material), KeyMaterial.ClientToServer);

        var plaintext = new byte[packet.Length];
        Assert.True(cipher.TryOpen(packet, DataPacketHeader.V2Size, plaintext, out int length, out uint packetId));

        Assert.Equal(2u, packetId);
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(plaintext[..length]));
        Assert.Equal(0, DataPacketHeader.ReadPeerId(packet));
    }

    [Fact]
    public void DataV2VectorOpensWithTheFullEkmKeyBlock()
    {
        var key2 = new KeyMaterial(FixtureFiles.Hex(FixtureFiles.PrfVector("tls-crypt, key-id 0")["key2_hex"]));
        var v = FixtureFiles.PacketVector("DATA_V2 AES-256-GCM");
        Assert.Equal(FixtureFiles.Hex(v["key_hex"]), key2.Cipher(KeyMaterial.ClientToServer, 32).ToArray());
        Assert.Equal(FixtureFiles.Hex(v["implicit_iv_hex"]), key2.Hmac(KeyMaterial.ClientToServer, 8).ToArray());

        using var cipher = new AeadPacketCipher(DataCipher.Aes256Gcm, key2, KeyMaterial.ClientToServer);
        var packet = FixtureFiles.Hex(v["udp_payload_hex"]);
        var plaintext = new byte[packet.Length];
        Assert.True(cipher.TryOpen(packet, DataPacketHeader.V2Size, plaintext, out int length, out _));
        Assert.Equal(FixtureFiles.Hex(v["plaintext_hex"]), plaintext[..length]);

        // The server->client slot must not open a client->server packet.
        using var wrongSlot = new AeadPacketCipher(DataCipher.Aes256Gcm, key2, KeyMaterial.ServerToClient);
        Assert.False(wrongSlot.TryOpen(packet, DataPacketHeader.V2Size, plaintext, out _, out _));
    }

    /// <summary>Every DATA_V1 AES-256-GCM packet of legacy-prf-gcm (AAD = packet-id only), keys from the live PRF vector.</summary>
    [Fact]
    public void OpensEveryDataV1PacketOfLegacyPrfGcm()
    {
        var key2 = new KeyMaterial(FixtureFiles.Hex(FixtureFiles.PrfVector("(legacy-prf-gcm)")["key2_hex"]));
        var opened = OpenAll(new CapturedSession("legacy-prf-gcm", 32), key2, DataCipher.Aes256Gcm, DataPacketHeader.V1Size);
        Assert.Equal(8, opened);
    }

    [Fact]
    public void OpensEveryDataV2PacketOfTlsCryptWithBothKeyIds()
    {
        var session = new CapturedSession("tls-crypt");
        var key0 = new KeyMaterial(FixtureFiles.Hex(FixtureFiles.PrfVector("tls-crypt, key-id 0")["key2_hex"]));
        var key1 = new KeyMaterial(FixtureFiles.Hex(FixtureFiles.PrfVector("tls-crypt, key-id 1")["key2_hex"]));
        Assert.Equal(key0.Bytes.ToArray(), FixtureFiles.Hex(session.Tls(0)["key2_hex"]));
        Assert.Equal(key1.Bytes.ToArray(), FixtureFiles.Hex(session.Tls(1)["key2_hex"]));
        int opened = OpenAll(session, key0, DataCipher.Aes256Gcm, DataPacketHeader.V2Size, keyId: 0)
                     + OpenAll(session, key1, DataCipher.Aes256Gcm, DataPacketHeader.V2Size, keyId: 1);
        Assert.Equal(session.DataPackets.Count(), opened);
    }

    [Fact]
    public void OpensEveryChaChaPacketOfTlsAuth()
    {
        var session = new CapturedSession("tls-auth", 20);
        var key2 = new KeyMaterial(FixtureFiles.Hex(session.Tls(0)["key2_hex"]));
        int opened = OpenAll(session, key2, DataCipher.ChaCha20Poly1305, DataPacketHeader.V2Size);
        Assert.Equal(session.DataPackets.Count(), opened);
    }

    public static TheoryData<string, int> CipherAndHeader
    {
        get
        {
            var data = new TheoryData<string, int>();
            foreach (var c in DataCipher.All)
            {
                data.Add(c.Name, DataPacketHeader.V1Size);
                data.Add(c.Name, DataPacketHeader.V2Size);
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(CipherAndHeader))]
    public void SealThenOpenRoundTrips(string cipherName, int headerLength)
    {
        var cipher = DataCipher.Find(cipherName)!;
        var keys = TestKeys();
        using var sender = new AeadPacketCipher(cipher, keys, KeyMaterial.ServerToClient);
        using var receiver = new AeadPacketCipher(cipher, keys, KeyMaterial.ServerToClient);
        foreach (int size in new[] { 1, 16, 84, 1500 })
        {
            var plaintext = Enumerable.Range(0, size).Select(i => (byte)(i * 31)).ToArray();
            var packet = new byte[headerLength + AeadPacketCipher.Overhead + size];
            WriteHeader(packet, headerLength, keyId: 2, peerId: 0x123456);
            uint packetId = (uint)(size + 1000);

            int length = sender.Seal(packet, headerLength, packetId, plaintext);

            Assert.Equal(packet.Length, length);
            Assert.Equal(packetId, BinaryPrimitives.ReadUInt32BigEndian(packet.AsSpan(headerLength)));
            Assert.NotEqual(plaintext, packet[(headerLength + AeadPacketCipher.Overhead)..]);
            var output = new byte[size];
            Assert.True(receiver.TryOpen(packet, headerLength, output, out int plainLength, out uint openedId));
            Assert.Equal(size, plainLength);
            Assert.Equal(packetId, openedId);
            Assert.Equal(plaintext, output);
        }
    }

    [Fact]
    public void SealMatchesTheCapturedPacketByteForByte()
    {
        // Same key, nonce and AAD as openvpn used: the sealed packet must be identical to the captured one.
        var v = FixtureFiles.PacketVector("DATA_V2 AES-256-GCM");
        var key2 = new KeyMaterial(FixtureFiles.Hex(FixtureFiles.PrfVector("tls-crypt, key-id 0")["key2_hex"]));
        using var cipher = new AeadPacketCipher(DataCipher.Aes256Gcm, key2, KeyMaterial.ClientToServer);
        var plaintext = FixtureFiles.Hex(v["plaintext_hex"]);
        var packet = new byte[DataPacketHeader.V2Size + AeadPacketCipher.Overhead + plaintext.Length];
        DataPacketHeader.WriteV2(packet, 0, 0);
        cipher.Seal(packet, DataPacketHeader.V2Size, 2, plaintext);
        Assert.Equal(Convert.ToHexString(FixtureFiles.Hex(v["udp_payload_hex"])), Convert.ToHexString(packet));
    }

    [Theory]
    [MemberData(nameof(CipherAndHeader))]
    public void AnyFlippedBitFailsToOpen(string cipherName, int headerLength)
    {
        var cipher = DataCipher.Find(cipherName)!;
        using var aead = new AeadPacketCipher(cipher, TestKeys(), KeyMaterial.ClientToServer);
        var plaintext = "0123456789abcdefghij"u8.ToArray();
        var packet = new byte[headerLength + AeadPacketCipher.Overhead + plaintext.Length];
        WriteHeader(packet, headerLength, keyId: 0, peerId: 7);
        aead.Seal(packet, headerLength, 42, plaintext);
        var output = new byte[packet.Length];
        Assert.True(aead.TryOpen(packet, headerLength, output, out _, out _));

        for (int index = 0; index < packet.Length; index++)
        {
            for (int bit = 0; bit < 8; bit += 3)
            {
                var damaged = (byte[])packet.Clone();
                damaged[index] ^= (byte)(1 << bit);
                bool opened = aead.TryOpen(damaged, headerLength, output, out _, out _);
                if (headerLength == DataPacketHeader.V1Size && index == 0)
                    Assert.True(opened, "P_DATA_V1 AEAD does not authenticate the opcode byte (AAD = packet-id only)");
                else
                    Assert.False(opened, $"opened with byte {index} bit {bit} flipped");
            }
        }
    }

    [Theory]
    [MemberData(nameof(CipherAndHeader))]
    public void TooShortPacketsAreRejectedWithoutExceptions(string cipherName, int headerLength)
    {
        using var aead = new AeadPacketCipher(DataCipher.Find(cipherName)!, TestKeys(), KeyMaterial.ClientToServer);
        var packet = new byte[headerLength + AeadPacketCipher.Overhead + 8];
        WriteHeader(packet, headerLength, 0, 0);
        aead.Seal(packet, headerLength, 1, new byte[8]);
        var output = new byte[64];
        // Up to and including an empty ciphertext ("missing payload") nothing may open.
        for (int length = 0; length <= headerLength + AeadPacketCipher.Overhead; length++)
        {
            Assert.False(aead.TryOpen(packet.AsSpan(0, length), headerLength, output, out int plainLength, out _), $"length {length}");
            Assert.Equal(0, plainLength);
        }
        // A truncated ciphertext fails authentication.
        for (int length = headerLength + AeadPacketCipher.Overhead + 1; length < packet.Length; length++)
            Assert.False(aead.TryOpen(packet.AsSpan(0, length), headerLength, output, out _, out _), $"length {length}");
        Assert.True(aead.TryOpen(packet, headerLength, output, out _, out _));
    }

    [Fact]
    public void TooSmallPlaintextBufferIsRejectedWithoutException()
    {
        using var aead = new AeadPacketCipher(DataCipher.Aes256Gcm, TestKeys(), KeyMaterial.ClientToServer);
        var packet = new byte[DataPacketHeader.V2Size + AeadPacketCipher.Overhead + 32];
        WriteHeader(packet, DataPacketHeader.V2Size, 0, 0);
        aead.Seal(packet, DataPacketHeader.V2Size, 1, new byte[32]);
        Assert.False(aead.TryOpen(packet, DataPacketHeader.V2Size, new byte[31], out _, out _));
        Assert.True(aead.TryOpen(packet, DataPacketHeader.V2Size, new byte[32], out _, out _));
    }

    [Fact]
    public void RandomPacketsNeverThrow()
    {
        using var aead = new AeadPacketCipher(DataCipher.ChaCha20Poly1305, TestKeys(), KeyMaterial.ClientToServer);
        var random = new Random(99);
        var output = new byte[200];
        for (int i = 0; i < 2_000; i++)
        {
            var packet = new byte[random.Next(0, 200)];
            random.NextBytes(packet);
            Assert.False(aead.TryOpen(packet, (i & 1) == 0 ? 1 : 4, output, out _, out _));
        }
    }

    [Fact]
    public void NonAeadCipherIsRefused()
    {
        var cbc = new DataCipher("AES-256-CBC", 32, false);
        Assert.Throws<ArgumentException>(() => new AeadPacketCipher(cbc, TestKeys(), 0));
    }

    private static int OpenAll(CapturedSession session, KeyMaterial key2, DataCipher dataCipher, int headerLength, int keyId = 0)
    {
        using var c2s = new AeadPacketCipher(dataCipher, key2, KeyMaterial.ClientToServer);
        using var s2c = new AeadPacketCipher(dataCipher, key2, KeyMaterial.ServerToClient);
        int opened = 0;
        foreach (var p in session.DataPackets.Where(p => p.Decoded["key_id"]!.GetValue<int>() == keyId))
        {
            Assert.Equal(keyId, PacketByte0.GetKeyId(p.Raw[0]));
            Assert.Equal(headerLength == 1 ? Opcode.DataV1 : Opcode.DataV2, PacketByte0.GetOpcode(p.Raw[0]));
            var plaintext = new byte[p.Raw.Length];
            var cipher = p.ClientToServer ? c2s : s2c;
            Assert.True(cipher.TryOpen(p.Raw, headerLength, plaintext, out int length, out uint packetId), $"{session.Name} frame {p.Frame}");
            var payload = plaintext.AsSpan(0, length);
            var info = p.Decoded["payload"]!;
            Assert.Equal(p.Decoded["packet_id"]!.GetValue<uint>(), packetId);
            Assert.Equal(info["len"]!.GetValue<int>(), length);
            switch (info["kind"]!.GetValue<string>())
            {
                case "ipv4":
                    Assert.Equal(0x45, payload[0]);
                    Assert.Equal(info["ip_src"]!.GetValue<string>(), new System.Net.IPAddress(payload.Slice(12, 4)).ToString());
                    Assert.Equal(info["ip_dst"]!.GetValue<string>(), new System.Net.IPAddress(payload.Slice(16, 4)).ToString());
                    break;
                case "ipv6":
                    Assert.Equal(6, payload[0] >> 4);
                    Assert.Equal(info["next_header"]!.GetValue<int>(), payload[6]);
                    break;
                case "keepalive-ping":
                    Assert.True(PingMessage.Is(payload));
                    break;
                default:
                    Assert.Fail($"unexpected payload kind in frame {p.Frame}");
                    break;
            }
            // A packet opened with the other direction's key must fail.
            Assert.False((p.ClientToServer ? s2c : c2s).TryOpen(p.Raw, headerLength, plaintext, out _, out _));
            opened++;
        }
        return opened;
    }

    private static KeyMaterial TestKeys() => new(Enumerable.Range(0, KeyMaterial.Size).Select(i => (byte)(i * 13 + 5)).ToArray());

    private static void WriteHeader(byte[] packet, int headerLength, int keyId, int peerId)
    {
        if (headerLength == DataPacketHeader.V2Size) DataPacketHeader.WriteV2(packet, keyId, peerId);
        else packet[0] = PacketByte0.Make(Opcode.DataV1, keyId);
    }
}
