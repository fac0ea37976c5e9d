using System.Security.Cryptography;
using FleetVpn.Protocol.Wrapping;

namespace FleetVpn.Protocol.Tests;

public class AesCtrTests
{
    /// <summary>NIST SP 800-38A, F.5.5 CTR-AES256.Encrypt.</summary>
    [Fact]
    public void MatchesNistSp800_38aAes256Ctr()
    {
        var key = Convert.FromHexString("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
        var iv = Convert.FromHexString("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
        var plaintext = Convert.FromHexString(
            "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710");
        var expected = Convert.FromHexString(
            "601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c52b0930daa23de94ce87017ba2d84988ddfc9c58db67aada613c2dd08457941a6");
        using var ctr = new AesCtr(key);
        var output = new byte[plaintext.Length];
        ctr.Transform(iv, plaintext, output);
        Assert.Equal(expected, output);

        // In place, and partial final blocks.
        for (int length = 0; length <= plaintext.Length; length++)
        {
            var buffer = plaintext[..length];
            ctr.Transform(iv, buffer, buffer);
            Assert.Equal(expected[..length], buffer);
        }
    }

    [Theory]
    [InlineData("0000000000000000ffffffffffffffff", "00000000000000010000000000000000")]
    [InlineData("ffffffffffffffffffffffffffffffff", "00000000000000000000000000000000")]
    public void CounterIsOne128BitBigEndianNumber(string ivHex, string nextHex)
    {
        var key = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        using var aes = Aes.Create();
        aes.Key = key;
        var expectedStream = aes.EncryptEcb(Convert.FromHexString(ivHex + nextHex), PaddingMode.None);
        using var ctr = new AesCtr(key);
        var stream = new byte[32];
        ctr.Transform(Convert.FromHexString(ivHex), new byte[32], stream);
        Assert.Equal(expectedStream, stream);
    }

    [Fact]
    public void LongInputsCrossChunks()
    {
        var key = new byte[32];
        using var aes = Aes.Create();
        aes.Key = key;
        var iv = new byte[16];
        iv[15] = 0xF0;
        var counters = new byte[16 * 100];
        for (int i = 0; i < 100; i++)
        {
            var c = new byte[16];
            var value = (UInt128)0xF0 + (UInt128)i;
            System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(c, value);
            c.CopyTo(counters, i * 16);
        }
        var expected = aes.EncryptEcb(counters, PaddingMode.None)[..1555];
        using var ctr = new AesCtr(key);
        var output = new byte[1555];
        ctr.Transform(iv, new byte[1555], output);
        Assert.Equal(expected, output);
    }

    [Fact]
    public void RefusesBadKeysAndIvs()
    {
        Assert.Throws<ArgumentException>(() => new AesCtr(new byte[31]));
        using var ctr = new AesCtr(new byte[16]);
        Assert.Throws<ArgumentException>(() => ctr.Transform(new byte[15], new byte[4], new byte[4]));
        Assert.Throws<ArgumentException>(() => ctr.Transform(new byte[16], new byte[4], new byte[3]));
    }
}
