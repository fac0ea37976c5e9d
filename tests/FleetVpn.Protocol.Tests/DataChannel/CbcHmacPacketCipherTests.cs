using System.Buffers.Binary;
using System.Security.Cryptography;
using FleetVpn.Protocol.DataChannel;
using FleetVpn.Protocol.Keys;
using FleetVpn.Protocol.Messages;
using FleetVpn.Protocol.Tests.Fixtures;
using FleetVpn.Protocol.Wire;

namespace FleetVpn.Protocol.Tests;

public class CbcHmacPacketCipherTests
{
    [Fact]
    public void OpensTheDataV1Aes256CbcSha512Vector()
    {
        var v = FixtureFiles.PacketVector("DATA_V1 AES-256-CBC + HMAC-SHA512");
        var packet = v.HexField("udp_payload_hex");
        var decrypted = v.HexField("decrypted_hex");
        Assert.Equal(v.HexField("hmac_hex"), packet[1..65]);
        Assert.Equal(v.HexField("iv_hex"), packet[65..81]);
        Assert.Equal(v.HexField("ciphertext_hex"), packet[81..]);

        // The vector's keys are key2.keys[0] (client->server) of the live legacy PRF derivation.
        var key2 = new KeyMaterial(FixtureFiles.Hex(FixtureFiles.PrfVector("(legacy-prf-cbc)")["key2_hex"]));
        Assert.Equal(v.HexField("cipher_key_hex"), key2.Cipher(KeyMaterial.ClientToServer, 32).ToArray());
        Assert.Equal(v.HexField("hmac_key_hex"), key2.Hmac(KeyMaterial.ClientToServer, 64).ToArray());

        using var cipher = new CbcHmacPacketCipher(DataCipher.Aes256Cbc, HmacDigest.Sha512, key2, KeyMaterial.ClientToServer);
        var plaintext = new byte[packet.Length];
        Assert.True(cipher.TryOpen(packet, DataPacketHeader.V1Size, plaintext, out int length, out uint packetId));
        int pad = decrypted[^1];
        Assert.Equal(BinaryPrimitives.ReadUInt32BigEndian(decrypted), packetId);
        Assert.Equal(2u, packetId);
        Assert.Equal(Convert.ToHexString(decrypted[4..^pad]), Convert.ToHexString(plaintext, 0, length));

        using var wrongSlot = new CbcHmacPacketCipher(DataCipher.Aes256Cbc, HmacDigest.Sha512, key2, KeyMaterial.ServerToClient);
        Assert.False(wrongSlot.TryOpen(packet, DataPacketHeader.V1Size, plaintext, out _, out _));
    }

    /// <summary>legacy-prf-cbc: AES-256-CBC + HMAC-SHA512, P_DATA_V1, keys from prf-vectors.json.</summary>
    [Fact]
    public void OpensEveryDataV1PacketOfLegacyPrfCbc()
    {
        var session = new CapturedSession("legacy-prf-cbc", 64);
        var key2 = new KeyMaterial(FixtureFiles.Hex(FixtureFiles.PrfVector("(legacy-prf-cbc)")["key2_hex"]));
        Assert.Equal(key2.Bytes.ToArray(), FixtureFiles.Hex(session.Tls(0)["key2_hex"]));
        Assert.Equal(11, OpenAll(session, key2, HmacDigest.Sha512, DataPacketHeader.V1Size, compressionByte: null));
    }

    /// <summary>
    /// no-wrap-cbc: AES-256-CBC + HMAC-SHA256, P_DATA_V2, comp-lzo no (0xFA prefix). Its key2 comes from
    /// TLS-EKM; decoded.json holds it (computed by the fixture's decoder from the keylog's EXPORTER_SECRET).
    /// </summary>
    [Fact]
    public void OpensEveryDataV2PacketOfNoWrapCbc()
    {
        var session = new CapturedSession("no-wrap-cbc");
        Assert.Equal("tls-ekm", session.Tls(0)["ekm_or_prf"]!.GetValue<string>());
        var key2 = new KeyMaterial(FixtureFiles.Hex(session.Tls(0)["key2_hex"]));
        Assert.Equal(session.DataPackets.Count(), OpenAll(session, key2, HmacDigest.Sha256, DataPacketHeader.V2Size, compressionByte: 0xFA));
    }

    public static TheoryData<string, string, int> CipherDigestHeader
    {
        get
        {
            var data = new TheoryData<string, string, int>();
            foreach (var c in DataCipher.CbcHmac)
                foreach (var d in HmacDigest.All)
                    foreach (int header in new[] { DataPacketHeader.V1Size, DataPacketHeader.V2Size })
                        data.Add(c.Name, d.Name, header);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(CipherDigestHeader))]
    public void SealThenOpenRoundTrips(string cipherName, string digestName, int headerLength)
    {
        var cipher = DataCipher.FindAny(cipherName)!;
        var digest = HmacDigest.Find(digestName)!;
        var keys = TestKeys();
        using var sender = new CbcHmacPacketCipher(cipher, digest, keys, KeyMaterial.ServerToClient);
        using var receiver = new CbcHmacPacketCipher(cipher, digest, keys, KeyMaterial.ServerToClient);
        Assert.Equal(digest.Length + 36, sender.MaxOverhead);
        foreach (int size in new[] { 1, 11, 12, 13, 16, 27, 28, 84, 1500 })
        {
            var plaintext = Enumerable.Range(0, size).Select(i => (byte)(i * 31 + 1)).ToArray();
            var packet = new byte[headerLength + sender.MaxOverhead + size];
            WriteHeader(packet, headerLength, keyId: 1, peerId: 0xABCDEF);
            uint packetId = (uint)(size * 7 + 1);

            int length = sender.Seal(packet, headerLength, packetId, plaintext);

            Assert.Equal(sender.GetSealedLength(headerLength, size), length);
            Assert.True(length <= headerLength + sender.MaxOverhead + size);
            Assert.Equal(0, (length - headerLength - digest.Length - 16) % 16);
            AssertIndependentlyDecodable(packet.AsSpan(0, length), headerLength, cipher, digest, keys, KeyMaterial.ServerToClient, packetId, plaintext);

            var output = new byte[size];
            Assert.True(receiver.TryOpen(packet.AsSpan(0, length), headerLength, output, out int plainLength, out uint openedId));
            Assert.Equal(size, plainLength);
            Assert.Equal(packetId, openedId);
            Assert.Equal(plaintext, output);
            Assert.Equal(0xABCDEF, headerLength == 4 ? DataPacketHeader.ReadPeerId(packet) : 0xABCDEF);
        }
    }

    [Fact]
    public void EveryPacketGetsAFreshIv()
    {
        using var cipher = new CbcHmacPacketCipher(DataCipher.Aes128Cbc, HmacDigest.Sha1, TestKeys(), 0);
        var ivs = new HashSet<string>();
        var packet = new byte[200];
        for (int i = 0; i < 50; i++)
        {
            cipher.Seal(packet, 1, 1, new byte[40]);
            Assert.True(ivs.Add(Convert.ToHexString(packet, 1 + 20, 16)));
        }
    }

    [Theory]
    [MemberData(nameof(CipherDigestHeader))]
    public void AnyFlippedBitOutsideTheHeaderFailsToOpen(string cipherName, string digestName, int headerLength)
    {
        using var cbc = new CbcHmacPacketCipher(DataCipher.FindAny(cipherName)!, HmacDigest.Find(digestName)!, TestKeys(), KeyMaterial.ClientToServer);
        var plaintext = "0123456789abcdefghij0123456789"u8.ToArray();
        var packet = new byte[headerLength + cbc.MaxOverhead + plaintext.Length];
        WriteHeader(packet, headerLength, keyId: 0, peerId: 7);
        int length = cbc.Seal(packet, headerLength, 42, plaintext);
        var sealedPacket = packet[..length];
        var output = new byte[length];
        for (int index = 0; index < length; index++)
        {
            for (int bit = 0; bit < 8; bit++)
            {
                var damaged = (byte[])sealedPacket.Clone();
                damaged[index] ^= (byte)(1 << bit);
                bool opened = cbc.TryOpen(damaged, headerLength, output, out _, out _);
                if (index < headerLength)
                    Assert.True(opened, "the CBC+HMAC format does not authenticate the opcode/peer-id header");
                else
                    Assert.False(opened, $"opened with byte {index} bit {bit} flipped");
            }
        }
        Assert.True(cbc.TryOpen(sealedPacket, headerLength, output, out _, out _));
    }

    [Theory]
    [MemberData(nameof(CipherDigestHeader))]
    public void TruncatedOrExtendedPacketsAreRejectedWithoutExceptions(string cipherName, string digestName, int headerLength)
    {
        using var cbc = new CbcHmacPacketCipher(DataCipher.FindAny(cipherName)!, HmacDigest.Find(digestName)!, TestKeys(), KeyMaterial.ClientToServer);
        var packet = new byte[headerLength + cbc.MaxOverhead + 40];
        WriteHeader(packet, headerLength, 0, 0);
        int sealedLength = cbc.Seal(packet, headerLength, 1, new byte[40]);
        var output = new byte[packet.Length];
        for (int length = 0; length < packet.Length; length++)
        {
            if (length == sealedLength) continue;
            Assert.False(cbc.TryOpen(packet.AsSpan(0, length), headerLength, output, out int plainLength, out _), $"length {length}");
            Assert.Equal(0, plainLength);
        }
        Assert.True(cbc.TryOpen(packet.AsSpan(0, sealedLength), headerLength, output, out _, out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(17)]
    [InlineData(255)]
    [InlineData(-1)] // inconsistent padding bytes
    [InlineData(-2)] // packet-id only, no payload
    public void AuthenticPacketsWithBadContentAreRejected(int padValue)
    {
        var keys = TestKeys();
        using var cbc = new CbcHmacPacketCipher(DataCipher.Aes256Cbc, HmacDigest.Sha256, keys, 0);
        byte[] inner = padValue switch
        {
            -1 => [0, 0, 0, 1, 0xAA, 0xBB, .. Enumerable.Repeat((byte)10, 9), 11], // claims 11 bytes of padding, one differs
            -2 => [0, 0, 0, 1, .. Enumerable.Repeat((byte)12, 12)],
            _ => [0, 0, 0, 1, .. Enumerable.Repeat((byte)0x55, 27), (byte)padValue],
        };
        var packet = BuildAuthentic(keys, 0, HmacDigest.Sha256, inner);
        Assert.False(cbc.TryOpen(packet, 1, new byte[packet.Length], out int length, out _));
        Assert.Equal(0, length);

        // Control: the same construction with proper padding opens.
        var good = BuildAuthentic(keys, 0, HmacDigest.Sha256, [0, 0, 0, 9, 0x42, .. Enumerable.Repeat((byte)11, 11)]);
        Assert.True(cbc.TryOpen(good, 1, new byte[good.Length], out length, out uint id));
        Assert.Equal((1, 9u), (length, id));
    }

    [Fact]
    public void PlaintextBufferMayBeExactlyThePayloadSize()
    {
        using var cbc = new CbcHmacPacketCipher(DataCipher.Aes256Cbc, HmacDigest.Sha1, TestKeys(), 1);
        var payload = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
        var packet = new byte[4 + cbc.MaxOverhead + payload.Length];
        DataPacketHeader.WriteV2(packet, 0, 1);
        int length = cbc.Seal(packet, 4, 5, payload);
        var exact = new byte[payload.Length];
        Assert.True(cbc.TryOpen(packet.AsSpan(0, length), 4, exact, out int plainLength, out _));
        Assert.Equal(payload, exact[..plainLength]);
        Assert.False(cbc.TryOpen(packet.AsSpan(0, length), 4, new byte[payload.Length - 1], out _, out _));
        Assert.Throws<ArgumentException>(() => cbc.Seal(new byte[length - 1], 4, 5, payload));
    }

    [Fact]
    public void RandomPacketsNeverThrow()
    {
        using var cbc = new CbcHmacPacketCipher(DataCipher.Aes128Cbc, HmacDigest.Sha256, TestKeys(), KeyMaterial.ClientToServer);
        var random = new Random(77);
        var output = new byte[300];
        for (int i = 0; i < 5_000; i++)
        {
            var packet = new byte[random.Next(0, 300)];
            random.NextBytes(packet);
            Assert.False(cbc.TryOpen(packet, (i & 1) == 0 ? 1 : 4, output.AsSpan(0, random.Next(0, 300)), out _, out _));
        }
        Assert.False(cbc.TryOpen(new byte[100], -1, output, out _, out _));
        Assert.False(cbc.TryOpen(new byte[100], 101, output, out _, out _));
    }

    [Fact]
    public void OnlyAesCbcCiphersAreAccepted()
    {
        Assert.Throws<ArgumentException>(() => new CbcHmacPacketCipher(DataCipher.Aes256Gcm, HmacDigest.Sha1, TestKeys(), 0));
        Assert.Throws<ArgumentException>(() => new CbcHmacPacketCipher(new DataCipher("BF-CBC", 16, false), HmacDigest.Sha1, TestKeys(), 0));
        using var byValue = new CbcHmacPacketCipher(new DataCipher("AES-128-CBC", 16, false), HmacDigest.Sha1, TestKeys(), 0);
        Assert.Equal(DataCipher.Aes128Cbc, byValue.Cipher);
    }

    [Fact]
    public void DataCipherLookupKeepsNcpOnAeadCiphers()
    {
        Assert.Equal(["AES-256-GCM", "AES-128-GCM", "CHACHA20-POLY1305"], DataCipher.All.Select(c => c.Name));
        Assert.All(DataCipher.All, c => Assert.True(c.IsAead));
        Assert.Same(DataCipher.Aes256Gcm, DataCipher.Find("aes-256-gcm"));
        Assert.Null(DataCipher.Find("AES-256-CBC"));
        Assert.Same(DataCipher.Aes256Cbc, DataCipher.FindAny("aes-256-cbc"));
        Assert.Same(DataCipher.Aes128Cbc, DataCipher.FindAny("AES-128-CBC"));
        Assert.Same(DataCipher.ChaCha20Poly1305, DataCipher.FindAny("CHACHA20-POLY1305"));
        Assert.Null(DataCipher.FindAny("BF-CBC"));
        Assert.All(DataCipher.CbcHmac, c => Assert.False(c.IsAead));
        Assert.Equal((32, 16), (DataCipher.Aes256Cbc.KeyLength, DataCipher.Aes128Cbc.KeyLength));
        Assert.Equal([20, 32, 64], HmacDigest.All.Select(d => d.Length));
        Assert.Same(HmacDigest.Sha512, HmacDigest.Find("sha512"));
        Assert.Null(HmacDigest.Find("MD5"));
    }

    [Fact]
    public void BothFormatsShareTheInterface()
    {
        var keys = TestKeys();
        IPacketCipher[] ciphers =
        [
            new AeadPacketCipher(DataCipher.Aes256Gcm, keys, 0),
            new CbcHmacPacketCipher(DataCipher.Aes256Cbc, HmacDigest.Sha512, keys, 0),
        ];
        Assert.Equal(AeadPacketCipher.Overhead, ciphers[0].MaxOverhead);
        foreach (var cipher in ciphers)
        {
            using (cipher)
            {
                var packet = new byte[4 + cipher.MaxOverhead + 64];
                DataPacketHeader.WriteV2(packet, 0, 3);
                int length = cipher.Seal(packet, 4, 99, new byte[64]);
                Assert.True(cipher.TryOpen(packet.AsSpan(0, length), 4, new byte[length], out int plainLength, out uint id));
                Assert.Equal((64, 99u), (plainLength, id));
            }
        }
    }

    private static int OpenAll(CapturedSession session, KeyMaterial key2, HmacDigest digest, int headerLength, byte? compressionByte)
    {
        using var c2s = new CbcHmacPacketCipher(DataCipher.Aes256Cbc, digest, key2, KeyMaterial.ClientToServer);
        using var s2c = new CbcHmacPacketCipher(DataCipher.Aes256Cbc, digest, key2, KeyMaterial.ServerToClient);
        int opened = 0;
        foreach (var p in session.DataPackets)
        {
            Assert.Equal(headerLength == 1 ? Opcode.DataV1 : Opcode.DataV2, PacketByte0.GetOpcode(p.Raw[0]));
            var plaintext = new byte[p.Raw.Length];
            var cipher = p.ClientToServer ? c2s : s2c;
            Assert.True(cipher.TryOpen(p.Raw, headerLength, plaintext, out int length, out uint packetId), $"{session.Name} frame {p.Frame}");
            Assert.Equal(p.Decoded["packet_id"]!.GetValue<uint>(), packetId);
            var info = p.Decoded["payload"]!;
            var payload = plaintext.AsSpan(0, length);
            if (compressionByte is { } comp)
            {
                Assert.Equal(info["comp_byte"]!.GetValue<string>(), comp.ToString("x2"));
                Assert.Equal(comp, payload[0]);
                payload = payload[1..];
            }
            Assert.Equal(info["len"]!.GetValue<int>(), payload.Length);
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
            Assert.False((p.ClientToServer ? s2c : c2s).TryOpen(p.Raw, headerLength, plaintext, out _, out _));
            opened++;
        }
        return opened;
    }

    /// <summary>Decodes a sealed packet with the BCL primitives directly (layout check independent of TryOpen).</summary>
    private static void AssertIndependentlyDecodable(ReadOnlySpan<byte> packet, int headerLength, DataCipher cipher, HmacDigest digest,
        KeyMaterial keys, int slot, uint packetId, byte[] plaintext)
    {
        int h = digest.Length;
        var authenticated = packet[(headerLength + h)..].ToArray();
        var mac = digest == HmacDigest.Sha1 ? HMACSHA1.HashData(keys.Hmac(slot, h), authenticated)
            : digest == HmacDigest.Sha256 ? HMACSHA256.HashData(keys.Hmac(slot, h), authenticated)
            : HMACSHA512.HashData(keys.Hmac(slot, h), authenticated);
        Assert.Equal(mac, packet.Slice(headerLength, h).ToArray());
        using var aes = Aes.Create();
        aes.Key = keys.Cipher(slot, cipher.KeyLength).ToArray();
        var inner = aes.DecryptCbc(authenticated[16..], authenticated[..16], PaddingMode.PKCS7);
        Assert.Equal(packetId, BinaryPrimitives.ReadUInt32BigEndian(inner));
        Assert.Equal(plaintext, inner[4..]);
    }

    /// <summary>A P_DATA_V1 packet with a valid HMAC around an arbitrary (block-aligned) CBC plaintext.</summary>
    private static byte[] BuildAuthentic(KeyMaterial keys, int slot, HmacDigest digest, byte[] inner)
    {
        Assert.Equal(0, inner.Length % 16);
        using var aes = Aes.Create();
        aes.Key = keys.Cipher(slot, 32).ToArray();
        var iv = RandomNumberGenerator.GetBytes(16);
        byte[] authenticated = [.. iv, .. aes.EncryptCbc(inner, iv, PaddingMode.None)];
        var mac = new byte[digest.Length];
        digest.Compute(keys.Hmac(slot, digest.Length), authenticated, mac);
        return [PacketByte0.Make(Opcode.DataV1, 0), .. mac, .. authenticated];
    }

    private static KeyMaterial TestKeys() => new(Enumerable.Range(0, KeyMaterial.Size).Select(i => (byte)(i * 11 + 3)).ToArray());

    private static void WriteHeader(byte[] packet, int headerLength, int keyId, int peerId)
    {
        if (headerLength == DataPacketHeader.V2Size) DataPacketHeader.WriteV2(packet, keyId, peerId);
        else packet[0] = PacketByte0.Make(Opcode.DataV1, keyId);
    }
}
