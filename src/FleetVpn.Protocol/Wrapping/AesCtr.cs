using System.Buffers.Binary;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;

namespace FleetVpn.Protocol.Wrapping;

/// <summary>
/// AES-CTR with a 128-bit big-endian counter starting at the IV (OpenSSL's "AES-256-CTR", used by
/// tls-crypt, §3.4, and to unwrap a tls-crypt-v2 WKc, §3.5): AES-ECB over counter blocks, XORed with the input.
/// Thread-safe: each thread gets its own ECB transform (and scratch blocks) for this key, so one instance can
/// serve all threads without locking or per-packet allocation.
/// </summary>
public sealed class AesCtr : IDisposable
{
    public const int BlockSize = 16;
    private const int ChunkBlocks = 32;

    private readonly byte[] _key;
    private readonly ThreadLocal<PerThread> _perThread;

    /// <param name="key">16, 24 or 32 bytes (AES-128/192/256).</param>
    public AesCtr(ReadOnlySpan<byte> key)
    {
        if (key.Length is not (16 or 24 or 32)) throw new ArgumentException("an AES key is 16, 24 or 32 bytes", nameof(key));
        _key = key.ToArray();
        _perThread = new ThreadLocal<PerThread>(() => new PerThread(_key), trackAllValues: true);
    }

    /// <summary>Encrypts or decrypts (the same operation) <paramref name="input"/> into <paramref name="output"/>, which may be the same span.</summary>
    public void Transform(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (iv.Length < BlockSize) throw new ArgumentException("the IV is one 16-byte block", nameof(iv));
        if (output.Length < input.Length) throw new ArgumentException("output too small", nameof(output));
        var state = _perThread.Value!;
        var counters = state.Counters;
        var stream = state.Stream;
        var counter = BinaryPrimitives.ReadUInt128BigEndian(iv);
        for (int offset = 0; offset < input.Length;)
        {
            int n = Math.Min(input.Length - offset, counters.Length);
            int blocks = (n + BlockSize - 1) / BlockSize;
            for (int i = 0; i < blocks; i++)
            {
                BinaryPrimitives.WriteUInt128BigEndian(counters.AsSpan(i * BlockSize, BlockSize), counter);
                counter = unchecked(counter + 1);
            }
            state.Encryptor.TransformBlock(counters, 0, blocks * BlockSize, stream, 0);
            Xor(input.Slice(offset, n), stream, output.Slice(offset, n));
            offset += n;
        }
    }

    private static void Xor(ReadOnlySpan<byte> source, ReadOnlySpan<byte> keyStream, Span<byte> destination)
    {
        int i = 0;
        for (; i <= source.Length - Vector128<byte>.Count; i += Vector128<byte>.Count)
        {
            var x = Vector128.Create(source.Slice(i, Vector128<byte>.Count)) ^ Vector128.Create(keyStream.Slice(i, Vector128<byte>.Count));
            x.CopyTo(destination.Slice(i, Vector128<byte>.Count));
        }
        for (; i < source.Length; i++) destination[i] = (byte)(source[i] ^ keyStream[i]);
    }

    public void Dispose()
    {
        foreach (var state in _perThread.Values) state.Dispose();
        _perThread.Dispose();
        CryptographicOperations.ZeroMemory(_key);
    }

    /// <summary>One thread's ECB encryptor (it keeps no chaining state between calls) and scratch blocks.</summary>
    private sealed class PerThread : IDisposable
    {
        private readonly Aes _aes;

        public PerThread(byte[] key)
        {
            _aes = Aes.Create();
            _aes.Key = key;
            _aes.Mode = CipherMode.ECB;
            _aes.Padding = PaddingMode.None;
            Encryptor = _aes.CreateEncryptor();
        }

        public ICryptoTransform Encryptor { get; }

        public byte[] Counters { get; } = new byte[ChunkBlocks * BlockSize];

        public byte[] Stream { get; } = new byte[ChunkBlocks * BlockSize];

        public void Dispose()
        {
            Encryptor.Dispose();
            _aes.Dispose();
            CryptographicOperations.ZeroMemory(Stream);
        }
    }
}
