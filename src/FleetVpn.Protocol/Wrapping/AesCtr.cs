using System.Buffers.Binary;
using System.Security.Cryptography;

namespace FleetVpn.Protocol.Wrapping;

/// <summary>
/// AES-CTR with a 128-bit big-endian counter starting at the IV (OpenSSL's "AES-256-CTR", used by
/// tls-crypt, §3.4), built from <see cref="SymmetricAlgorithm.EncryptEcb(ReadOnlySpan{byte}, Span{byte}, PaddingMode)"/>
/// on counter blocks. Thread-safe: each thread gets its own <see cref="Aes"/> instance for this key.
/// Also what tls-crypt-v2 needs to unwrap a WKc (§3.5).
/// </summary>
public sealed class AesCtr : IDisposable
{
    public const int BlockSize = 16;
    private const int ChunkBlocks = 32;

    private readonly byte[] _key;
    private readonly ThreadLocal<Aes> _aes;

    /// <param name="key">16, 24 or 32 bytes (AES-128/192/256).</param>
    public AesCtr(ReadOnlySpan<byte> key)
    {
        if (key.Length is not (16 or 24 or 32)) throw new ArgumentException("an AES key is 16, 24 or 32 bytes", nameof(key));
        _key = key.ToArray();
        _aes = new ThreadLocal<Aes>(CreateAes, trackAllValues: true);
    }

    /// <summary>Encrypts or decrypts (the same operation) <paramref name="input"/> into <paramref name="output"/>, which may be the same span.</summary>
    public void Transform(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (iv.Length < BlockSize) throw new ArgumentException("the IV is one 16-byte block", nameof(iv));
        if (output.Length < input.Length) throw new ArgumentException("output too small", nameof(output));
        var aes = _aes.Value!;
        var counter = BinaryPrimitives.ReadUInt128BigEndian(iv);
        Span<byte> counters = stackalloc byte[ChunkBlocks * BlockSize];
        Span<byte> stream = stackalloc byte[ChunkBlocks * BlockSize];
        for (int offset = 0; offset < input.Length;)
        {
            int n = Math.Min(input.Length - offset, counters.Length);
            int blocks = (n + BlockSize - 1) / BlockSize;
            for (int i = 0; i < blocks; i++)
            {
                BinaryPrimitives.WriteUInt128BigEndian(counters.Slice(i * BlockSize, BlockSize), counter);
                counter = unchecked(counter + 1);
            }
            aes.EncryptEcb(counters[..(blocks * BlockSize)], stream, PaddingMode.None);
            var src = input.Slice(offset, n);
            var dst = output.Slice(offset, n);
            for (int i = 0; i < n; i++) dst[i] = (byte)(src[i] ^ stream[i]);
            offset += n;
        }
    }

    private Aes CreateAes()
    {
        var aes = Aes.Create();
        aes.Key = _key;
        return aes;
    }

    public void Dispose()
    {
        foreach (var aes in _aes.Values) aes.Dispose();
        _aes.Dispose();
        CryptographicOperations.ZeroMemory(_key);
    }
}
