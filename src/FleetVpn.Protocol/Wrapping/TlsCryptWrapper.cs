using System.Buffers;
using System.Security.Cryptography;
using FleetVpn.Protocol.Wire;

namespace FleetVpn.Protocol.Wrapping;

/// <summary>
/// tls-crypt (§3.4, <c>tls_crypt_wrap()</c>/<c>tls_crypt_unwrap()</c> in tls_crypt.c): SIV-style AES-256-CTR
/// + HMAC-SHA256 with a static key:
/// <code>
/// wire: op|kid (1) | own sid (8) | replay id (4) | time (4) | tag (32) | AES-256-CTR(ACK block, [msg-pid], payload)
/// tag = HMAC-SHA256(Ka, first 17 bytes ‖ plaintext), CTR IV = tag[0:16]
/// </code>
/// Ke = keys[slot].cipher[0:32], Ka = keys[slot].hmac[0:32]; the direction is fixed (<c>tls_crypt_init_key()</c>):
/// the TLS server sends with keys[0] and receives with keys[1], the client the other way round.
/// Thread-safe and allocation-free per packet (except rarely, see <see cref="IControlWrapper.TryUnwrap"/>).
/// </summary>
public sealed class TlsCryptWrapper : IControlWrapper
{
    /// <summary>TLS_CRYPT_TAG_SIZE.</summary>
    public const int TagSize = 32;

    /// <summary>TLS_CRYPT_OFF_TAG: op|kid, session id and replay packet-id.</summary>
    public const int HeaderSize = 1 + SessionId.Size + ReplayPacketId.Size;

    private const int OpSidSize = 1 + SessionId.Size;
    private const int CipherKeySize = 32;
    private const int IvSize = 16;

    private readonly AesCtr _sendCipher;
    private readonly AesCtr _receiveCipher;
    private readonly byte[] _sendHmacKey;
    private readonly byte[] _receiveHmacKey;

    /// <param name="key">The 256-byte tls-crypt key (or a tls-crypt-v2 client key Kc, or a dynamic tls-crypt key).</param>
    /// <param name="isServer">True for the TLS server (sends with keys[0]); false for the client (sends with keys[1]).</param>
    public TlsCryptWrapper(StaticKey key, bool isServer)
        : this(CompactKey(key ?? throw new ArgumentNullException(nameof(key)), isServer), isServer)
    {
    }

    private TlsCryptWrapper(ReadOnlySpan<byte> compact, bool isServer)
    {
        if (compact.Length != CompactKeySize) throw new ArgumentException($"a compact tls-crypt key is {CompactKeySize} bytes", nameof(compact));
        IsServer = isServer;
        _sendCipher = new AesCtr(compact[..CipherKeySize]);
        _sendHmacKey = compact.Slice(CipherKeySize, HMACSHA256.HashSizeInBytes).ToArray();
        _receiveCipher = new AesCtr(compact.Slice(CompactKeySize / 2, CipherKeySize));
        _receiveHmacKey = compact.Slice(CompactKeySize / 2 + CipherKeySize, HMACSHA256.HashSizeInBytes).ToArray();
    }

    /// <summary>
    /// The bytes of a key that one role uses: send cipher ‖ send HMAC ‖ receive cipher ‖ receive HMAC, 32 each
    /// (half of the 256-byte key file; the rest is never read). What a session keeps of a per-client key (tls-crypt-v2 Kc).
    /// </summary>
    public const int CompactKeySize = 4 * CipherKeySize;

    /// <summary>The <see cref="CompactKeySize"/> bytes of <paramref name="key"/> that the given role uses.</summary>
    public static byte[] CompactKey(StaticKey key, bool isServer)
    {
        ArgumentNullException.ThrowIfNull(key);
        return CompactKey(key.Bytes, isServer);
    }

    /// <summary>The <see cref="CompactKeySize"/> bytes of a 256-byte key (file order) that the given role uses.</summary>
    public static byte[] CompactKey(ReadOnlySpan<byte> key, bool isServer)
    {
        if (key.Length != StaticKey.Size) throw new ArgumentException($"a tls-crypt key is {StaticKey.Size} bytes", nameof(key));
        int send = isServer ? 0 : 1;
        int receive = 1 - send;
        var compact = new byte[CompactKeySize];
        key.Slice(send * StaticKey.SlotSize, CipherKeySize).CopyTo(compact);
        key.Slice(send * StaticKey.SlotSize + StaticKey.CipherSize, CipherKeySize).CopyTo(compact.AsSpan(CipherKeySize));
        key.Slice(receive * StaticKey.SlotSize, CipherKeySize).CopyTo(compact.AsSpan(2 * CipherKeySize));
        key.Slice(receive * StaticKey.SlotSize + StaticKey.CipherSize, CipherKeySize).CopyTo(compact.AsSpan(3 * CipherKeySize));
        return compact;
    }

    /// <summary>A wrapper from the <see cref="CompactKeySize"/> bytes <see cref="CompactKey"/> returned for the same role.</summary>
    public static TlsCryptWrapper FromCompactKey(ReadOnlySpan<byte> compact, bool isServer) => new(compact, isServer);

    public bool IsServer { get; }

    /// <summary>Replay packet-id and tag (2.6 budgets 16 more bytes for a CTR "block" that is never used).</summary>
    public int Overhead => ReplayPacketId.Size + TagSize;

    public bool HasReplayId => true;

    public bool TryUnwrap(ReadOnlySpan<byte> wrapped, Span<byte> unwrapped, out int length, out uint replayId, out uint replayTime)
    {
        length = 0;
        replayId = replayTime = 0;
        if (wrapped.Length < HeaderSize + TagSize) return false;
        int plainLength = wrapped.Length - HeaderSize - TagSize;
        int resultLength = OpSidSize + plainLength;
        if (unwrapped.Length < resultLength) return false;

        var header = wrapped[..HeaderSize];
        var tag = wrapped.Slice(HeaderSize, TagSize);
        int inputLength = HeaderSize + plainLength;
        byte[]? rented = null;
        Span<byte> input = unwrapped.Length >= inputLength
            ? unwrapped[..inputLength]
            : (rented = ArrayPool<byte>.Shared.Rent(inputLength)).AsSpan(0, inputLength);
        try
        {
            header.CopyTo(input);
            _receiveCipher.Transform(tag[..IvSize], wrapped[(HeaderSize + TagSize)..], input[HeaderSize..]);
            Span<byte> computed = stackalloc byte[TagSize];
            HMACSHA256.HashData(_receiveHmacKey, input, computed);
            if (!CryptographicOperations.FixedTimeEquals(computed, tag))
            {
                input.Clear();
                return false;
            }
            // op|sid stays; the plaintext moves down over the replay field (overlapping copy is safe).
            input[HeaderSize..].CopyTo(unwrapped[OpSidSize..]);
            header[..OpSidSize].CopyTo(unwrapped);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented, clearArray: true);
        }
        var id = ReplayPacketId.Read(header[OpSidSize..]);
        replayId = id.Id;
        replayTime = id.Time;
        length = resultLength;
        return true;
    }

    public int Wrap(ReadOnlySpan<byte> unwrapped, uint replayId, uint replayTime, Span<byte> wrapped)
    {
        if (unwrapped.Length < OpSidSize) throw new ArgumentException("a control packet starts with op|kid and the session id", nameof(unwrapped));
        int total = unwrapped.Length + Overhead;
        if (wrapped.Length < total) throw new ArgumentException("wrapped buffer too small", nameof(wrapped));

        // HMAC input header ‖ plaintext laid out at wrapped[32..total], so that the plaintext already sits
        // where its ciphertext goes; the header then moves to the front and the tag over its old place.
        var input = wrapped[TagSize..total];
        unwrapped[..OpSidSize].CopyTo(input);
        new ReplayPacketId(replayId, replayTime).Write(input[OpSidSize..]);
        unwrapped[OpSidSize..].CopyTo(input[HeaderSize..]);
        Span<byte> tag = stackalloc byte[TagSize];
        HMACSHA256.HashData(_sendHmacKey, input, tag);
        unwrapped[..OpSidSize].CopyTo(wrapped);
        new ReplayPacketId(replayId, replayTime).Write(wrapped[OpSidSize..]);
        tag.CopyTo(wrapped[HeaderSize..]);
        var body = wrapped[(HeaderSize + TagSize)..total];
        _sendCipher.Transform(tag[..IvSize], body, body);
        return total;
    }

    public void Dispose()
    {
        _sendCipher.Dispose();
        _receiveCipher.Dispose();
        CryptographicOperations.ZeroMemory(_sendHmacKey);
        CryptographicOperations.ZeroMemory(_receiveHmacKey);
    }
}
