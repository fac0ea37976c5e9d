using FleetVpn.Protocol.DataChannel;
using FleetVpn.Protocol.Keys;

namespace FleetVpn.Protocol.Tests.Keys;

public sealed class KeyMaterialTests
{
    private static KeyMaterial Numbered()
    {
        var bytes = new byte[KeyMaterial.Size];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)i;
        return new KeyMaterial(bytes);
    }

    [Fact]
    public void Trimmed_material_serves_the_same_bytes_for_what_it_kept()
    {
        var whole = Numbered();
        var trimmed = whole.Trimmed(32, 8);
        for (int slot = 0; slot < 2; slot++)
        {
            Assert.Equal(whole.Cipher(slot, 32).ToArray(), trimmed.Cipher(slot, 32).ToArray());
            Assert.Equal(whole.Hmac(slot, 8).ToArray(), trimmed.Hmac(slot, 8).ToArray());
            Assert.Equal(whole.Cipher(slot, 16).ToArray(), trimmed.Cipher(slot, 16).ToArray());
        }
    }

    [Fact]
    public void Trimmed_material_refuses_more_than_it_kept()
    {
        var trimmed = Numbered().Trimmed(16, 8);
        Assert.Throws<ArgumentOutOfRangeException>(() => trimmed.Cipher(0, 32).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => trimmed.Hmac(1, 20).ToArray());
        Assert.Throws<InvalidOperationException>(() => trimmed.Bytes.ToArray());
    }

    [Theory]
    [InlineData("AES-256-GCM", "SHA1")]
    [InlineData("CHACHA20-POLY1305", "SHA256")]
    [InlineData("AES-128-CBC", "SHA256")]
    [InlineData("AES-256-CBC", "SHA512")]
    public void Packets_sealed_with_trimmed_keys_open_with_the_whole_block_and_back(string cipherName, string digestName)
    {
        var cipher = DataCipher.FindAny(cipherName)!;
        var digest = HmacDigest.Find(digestName)!;
        var whole = Numbered();
        var trimmed = whole.TrimmedFor(cipher, digest);
        byte[] plaintext = [.. Enumerable.Range(0, 100).Select(i => (byte)(i * 7))];
        var packet = new byte[256];
        var opened = new byte[256];
        foreach (var (sealer, opener) in new[] { (trimmed, whole), (whole, trimmed) })
        {
            using var seal = PacketCiphers.Create(cipher, digest, sealer, KeyMaterial.ServerToClient);
            using var open = PacketCiphers.Create(cipher, digest, opener, KeyMaterial.ServerToClient);
            int length = seal.Seal(packet, 4, 1, plaintext);
            Assert.True(open.TryOpen(packet.AsSpan(0, length), 4, opened, out int n, out _));
            Assert.Equal(plaintext, opened.AsSpan(0, n).ToArray());
        }
    }
}
