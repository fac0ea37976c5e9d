using System.Security.Cryptography;

namespace FleetVpn.Protocol.Keys;

/// <summary>
/// The TLS 1.0 PRF (RFC 2246 §5): <c>P_MD5(S1, seed) XOR P_SHA1(S2, seed)</c>, which OpenVPN's
/// legacy key derivation uses (<c>ssl_tls1_PRF()</c> in crypto_openssl.c).
/// </summary>
public static class Tls1Prf
{
    public static void Derive(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> seed, Span<byte> output)
    {
        int half = (secret.Length + 1) / 2;
        var s1 = secret[..half];
        var s2 = secret[(secret.Length - half)..];
        PHash(HashAlgorithmName.MD5, s1, seed, output);
        Span<byte> sha = output.Length <= 512 ? stackalloc byte[output.Length] : new byte[output.Length];
        PHash(HashAlgorithmName.SHA1, s2, seed, sha);
        for (int i = 0; i < output.Length; i++) output[i] ^= sha[i];
    }

    private static void PHash(HashAlgorithmName hash, ReadOnlySpan<byte> key, ReadOnlySpan<byte> seed, Span<byte> output)
    {
        using var hmac = IncrementalHash.CreateHMAC(hash, key);
        int size = hmac.HashLengthInBytes;
        Span<byte> a = stackalloc byte[size];
        Span<byte> block = stackalloc byte[size];
        // A(1) = HMAC(key, seed)
        hmac.AppendData(seed);
        hmac.GetHashAndReset(a);
        for (int pos = 0; pos < output.Length; pos += size)
        {
            hmac.AppendData(a);
            hmac.AppendData(seed);
            hmac.GetHashAndReset(block);
            block[..Math.Min(size, output.Length - pos)].CopyTo(output[pos..]);
            hmac.AppendData(a);
            hmac.GetHashAndReset(a);
        }
    }
}
