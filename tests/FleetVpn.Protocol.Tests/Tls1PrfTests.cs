using System.Text;
using FleetVpn.Protocol.Keys;
using FleetVpn.Protocol.Tests.Fixtures;

namespace FleetVpn.Protocol.Tests;

public class Tls1PrfTests
{
    [Fact]
    public void OpenVpnUnitTestVector()
    {
        var v = FixtureFiles.PrfVector("tls1-prf-raw");
        var secret = FixtureFiles.Hex(v["secret_hex"]);
        var seed = FixtureFiles.Hex(v["seed_hex"]);
        var expected = FixtureFiles.Hex(v["output_hex"]);
        Assert.Equal(v["secret_ascii"]!.GetValue<string>(), Encoding.ASCII.GetString(secret));
        Assert.Equal(v["seed_ascii"]!.GetValue<string>(), Encoding.ASCII.GetString(seed));

        var output = new byte[expected.Length];
        Tls1Prf.Derive(secret, seed, output);

        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(output));
    }

    [Fact]
    public void ShorterOutputIsAPrefixOfLongerOutput()
    {
        var v = FixtureFiles.PrfVector("tls1-prf-raw");
        var secret = FixtureFiles.Hex(v["secret_hex"]);
        var seed = FixtureFiles.Hex(v["seed_hex"]);
        var expected = FixtureFiles.Hex(v["output_hex"]);

        var shortOutput = new byte[7];
        Tls1Prf.Derive(secret, seed, shortOutput);
        var longOutput = new byte[1000]; // more than the stackalloc threshold and not a multiple of 16 or 20
        Tls1Prf.Derive(secret, seed, longOutput);

        Assert.Equal(expected[..7], shortOutput);
        Assert.Equal(expected, longOutput[..expected.Length]);
    }

    [Fact]
    public void OddLengthSecretHalvesOverlapByOneByte()
    {
        // RFC 2246: S1 and S2 are ceil(len/2) bytes each; with an odd secret the middle byte is shared.
        // Changing only the middle byte must therefore change both halves' outputs (not just one).
        var secret = Enumerable.Range(1, 47).Select(i => (byte)i).ToArray();
        var seed = "seed"u8.ToArray();
        var a = new byte[32];
        Tls1Prf.Derive(secret, seed, a);
        secret[23] ^= 0xFF;
        var b = new byte[32];
        Tls1Prf.Derive(secret, seed, b);
        Assert.NotEqual(a, b);

        // Reference computation of the odd-length split with .NET's HMAC primitives.
        secret[23] ^= 0xFF;
        Assert.Equal(ReferencePrf(secret, seed, 32), a);
    }

    private static byte[] ReferencePrf(byte[] secret, byte[] seed, int length)
    {
        int half = (secret.Length + 1) / 2;
        var md5 = PHash(System.Security.Cryptography.HashAlgorithmName.MD5, secret[..half], seed, length);
        var sha = PHash(System.Security.Cryptography.HashAlgorithmName.SHA1, secret[^half..], seed, length);
        return md5.Zip(sha, (x, y) => (byte)(x ^ y)).ToArray();
    }

    private static byte[] PHash(System.Security.Cryptography.HashAlgorithmName hash, byte[] key, byte[] seed, int length)
    {
        var output = new List<byte>();
        var a = seed;
        while (output.Count < length)
        {
            a = System.Security.Cryptography.CryptographicOperations.HmacData(hash, key, a);
            output.AddRange(System.Security.Cryptography.CryptographicOperations.HmacData(hash, key, a.Concat(seed).ToArray()));
        }
        return output.Take(length).ToArray();
    }
}
