using System.Buffers.Binary;
using System.Security.Cryptography;
using FleetVpn.Protocol.Keys;
using FleetVpn.Protocol.Wire;

namespace FleetVpn.Protocol.DataChannel;

/// <summary>
/// <see cref="AeadPacketCipher"/>'s packets, byte for byte, through one OpenSSL EVP_CIPHER_CTX that
/// <see cref="Rekey"/> gives another key in place: a <see cref="PacketCipherCache"/> miss re-keys the evicted entry's
/// context (a key schedule) instead of freeing one context and making another. Not thread-safe, like the BCL one.
/// </summary>
internal sealed unsafe class OpenSslAeadPacketCipher : IPacketCipher
{
    private const int NonceSize = AeadPacketCipher.PacketIdSize + AeadPacketCipher.ImplicitIvSize;

    private readonly CipherContextHandle _ctx;
    private readonly byte[] _implicitIv = new byte[AeadPacketCipher.ImplicitIvSize];
    private nint _evpCipher; // what the context was last initialised with; 0 before that or after a failed init

    public OpenSslAeadPacketCipher(LibCrypto api, DataCipher cipher, KeyMaterial keys, int slot)
    {
        Api = api;
        Cipher = cipher;
        _ctx = new CipherContextHandle(api);
        try
        {
            Rekey(cipher, keys, slot);
        }
        catch
        {
            _ctx.Dispose();
            throw;
        }
    }

    public LibCrypto Api { get; }

    public DataCipher Cipher { get; private set; }

    public int MaxOverhead => AeadPacketCipher.Overhead;

    /// <summary>A context of the same cipher under an all-zero key: a spare until a miss re-keys it.</summary>
    public IPacketCipher NewSpare() => new OpenSslAeadPacketCipher(Api, Cipher, SpareKeys, KeyMaterial.ClientToServer);

    private static readonly KeyMaterial SpareKeys = new(new byte[KeyMaterial.Size]);

    /// <summary>Gives the context direction <paramref name="slot"/> of <paramref name="keys"/> (and, if needed, another cipher).</summary>
    public void Rekey(DataCipher cipher, KeyMaterial keys, int slot)
    {
        ArgumentNullException.ThrowIfNull(cipher);
        nint evp = Api.CipherFor(cipher);
        if (evp == 0) throw new ArgumentException($"{cipher.Name} is not available from OpenSSL here", nameof(cipher));
        nint ctx = Context;
        fixed (byte* key = keys.Cipher(slot, cipher.KeyLength))
        {
            // The same cipher is not passed again: OpenSSL would free and remake its provider context; only the key changes.
            if (!Api.Init(ctx, evp == _evpCipher ? 0 : evp, key, null, encrypt: true)) throw Failure("re-key");
        }
        _evpCipher = evp;
        Cipher = cipher;
        keys.Hmac(slot, AeadPacketCipher.ImplicitIvSize).CopyTo(_implicitIv);
        GC.KeepAlive(_ctx);
    }

    public int Seal(Span<byte> packet, int headerLength, uint packetId, ReadOnlySpan<byte> plaintext)
    {
        int length = headerLength + AeadPacketCipher.Overhead + plaintext.Length;
        if (packet.Length < length) throw new ArgumentException("packet buffer too small", nameof(packet));
        var ciphertext = packet.Slice(headerLength + AeadPacketCipher.Overhead, plaintext.Length);
        ThrowIfPartlyOverlapping(plaintext, ciphertext);
        BinaryPrimitives.WriteUInt32BigEndian(packet[headerLength..], packetId);
        Span<byte> nonce = stackalloc byte[NonceSize];
        MakeNonce(packet.Slice(headerLength, AeadPacketCipher.PacketIdSize), nonce);
        var aad = headerLength == DataPacketHeader.V2Size ? packet[..8] : packet.Slice(headerLength, AeadPacketCipher.PacketIdSize);
        var tag = packet.Slice(headerLength + AeadPacketCipher.PacketIdSize, AeadPacketCipher.TagSize);
        // Final writes nothing for these stream modes; a scratch target keeps it off the caller's bytes regardless.
        byte* scratch = stackalloc byte[AeadPacketCipher.TagSize];
        nint ctx = Context;
        fixed (byte* n = nonce)
        fixed (byte* a = aad)
        fixed (byte* t = tag)
        fixed (byte* input = plaintext)
        fixed (byte* output = ciphertext)
        {
            bool ok = Api.Init(ctx, 0, null, n, encrypt: true)
                      && Api.Update(ctx, null, a, aad.Length)
                      && (plaintext.Length == 0 || Api.Update(ctx, output, input, plaintext.Length))
                      && Api.Final(ctx, scratch)
                      && Api.GetTag(ctx, t, AeadPacketCipher.TagSize);
            if (!ok) throw Failure("seal");
        }
        GC.KeepAlive(_ctx);
        return length;
    }

    public bool TryOpen(ReadOnlySpan<byte> packet, int headerLength, Span<byte> plaintext, out int plaintextLength, out uint packetId)
    {
        plaintextLength = 0;
        packetId = 0;
        int cipherLength = packet.Length - headerLength - AeadPacketCipher.Overhead;
        if (cipherLength <= 0 || plaintext.Length < cipherLength) return false;
        var pid = packet.Slice(headerLength, AeadPacketCipher.PacketIdSize);
        packetId = BinaryPrimitives.ReadUInt32BigEndian(pid);
        Span<byte> nonce = stackalloc byte[NonceSize];
        MakeNonce(pid, nonce);
        var aad = headerLength == DataPacketHeader.V2Size ? packet[..8] : pid;
        var ciphertext = packet.Slice(headerLength + AeadPacketCipher.Overhead);
        var output = plaintext[..cipherLength];
        ThrowIfPartlyOverlapping(ciphertext, output);
        // OpenSSL reads the expected tag through a non-const pointer: hand it a copy, not the caller's packet.
        Span<byte> tag = stackalloc byte[AeadPacketCipher.TagSize];
        packet.Slice(headerLength + AeadPacketCipher.PacketIdSize, AeadPacketCipher.TagSize).CopyTo(tag);
        byte* scratch = stackalloc byte[AeadPacketCipher.TagSize];
        nint ctx = Context;
        bool authentic;
        fixed (byte* n = nonce)
        fixed (byte* a = aad)
        fixed (byte* t = tag)
        fixed (byte* input = ciphertext)
        fixed (byte* o = output)
        {
            bool ok = Api.Init(ctx, 0, null, n, encrypt: false)
                      && Api.Update(ctx, null, a, aad.Length)
                      && Api.Update(ctx, o, input, cipherLength)
                      && Api.SetTag(ctx, t, AeadPacketCipher.TagSize);
            if (!ok) throw Failure("open");
            authentic = Api.Final(ctx, scratch);
        }
        GC.KeepAlive(_ctx);
        if (!authentic)
        {
            // As the BCL does: no unauthenticated plaintext is left behind, nor an error for .NET's next call to find.
            Api.ClearErrors();
            CryptographicOperations.ZeroMemory(output);
            return false;
        }
        plaintextLength = cipherLength;
        return true;
    }

    public void Dispose() => _ctx.Dispose();

    private nint Context
    {
        get
        {
            ObjectDisposedException.ThrowIf(_ctx.IsClosed, this);
            return _ctx.DangerousGetHandle();
        }
    }

    private void MakeNonce(ReadOnlySpan<byte> packetId, Span<byte> nonce)
    {
        packetId.CopyTo(nonce);
        _implicitIv.CopyTo(nonce[AeadPacketCipher.PacketIdSize..]);
    }

    /// <summary>In place or apart: OpenSSL's stream ciphers garble a shifted overlap without a word.</summary>
    private static void ThrowIfPartlyOverlapping(ReadOnlySpan<byte> input, ReadOnlySpan<byte> output)
    {
        if (input.Overlaps(output, out int offset) && offset != 0)
            throw new ArgumentException("input and output overlap other than in place");
    }

    private CryptographicException Failure(string what)
    {
        // The context's state is unknown after a failed call: re-initialise the cipher on the next re-key.
        _evpCipher = 0;
        Api.ClearErrors();
        return new CryptographicException($"OpenSSL {Cipher.Name} {what} failed");
    }
}
