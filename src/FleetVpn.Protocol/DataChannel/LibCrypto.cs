using System.Runtime.InteropServices;
using FleetVpn.Protocol.Keys;
using FleetVpn.Protocol.Wire;

namespace FleetVpn.Protocol.DataChannel;

/// <summary>
/// The few OpenSSL 3 EVP functions <see cref="OpenSslAeadPacketCipher"/> calls, looked up once in libcrypto.so.3
/// (the library .NET's own crypto uses on Linux), with the AEAD ciphers fetched once. Why not the BCL's
/// <c>AesGcm</c>: it cannot change its key, so a cache miss had to make and free a whole context (about 3.3 µs per
/// packet here); re-keying a context kept for the cache slot's life costs about 0.6 µs, and the per-packet calls are
/// fewer than the BCL's (bench/results/microbench-cipher-rekey.txt). <see cref="Shared"/> is null where the
/// library, a symbol or a cipher's self-test is missing (then <see cref="PacketCiphers"/> uses the BCL) or where
/// <c>FLEETVPN_OPENSSL_AEAD=0</c> says so (an escape hatch that needs no rebuild).
/// </summary>
internal sealed unsafe class LibCrypto
{
    public const string DefaultLibrary = "libcrypto.so.3";

    private const int CtrlAeadGetTag = 0x10; // EVP_CTRL_AEAD_GET_TAG
    private const int CtrlAeadSetTag = 0x11; // EVP_CTRL_AEAD_SET_TAG

    /// <summary>This process's libcrypto, or null for the BCL fallback; detected on first use.</summary>
    public static LibCrypto? Shared { get; } =
        Environment.GetEnvironmentVariable("FLEETVPN_OPENSSL_AEAD") == "0" ? null : TryLoad(DefaultLibrary);

    private readonly delegate* unmanaged<nint> _ctxNew;
    private readonly delegate* unmanaged<nint, void> _ctxFree;
    private readonly delegate* unmanaged<nint, nint, nint, byte*, byte*, int, int> _cipherInit;
    private readonly delegate* unmanaged<nint, byte*, int*, byte*, int, int> _cipherUpdate;
    private readonly delegate* unmanaged<nint, byte*, int*, int> _cipherFinal;
    private readonly delegate* unmanaged<nint, int, int, void*, int> _ctxCtrl;
    private readonly delegate* unmanaged<void> _errClearError;
    private nint _aes256Gcm;
    private nint _aes128Gcm;
    private nint _chaCha20Poly1305;

    private LibCrypto(nint library)
    {
        _ctxNew = (delegate* unmanaged<nint>)Export(library, "EVP_CIPHER_CTX_new");
        _ctxFree = (delegate* unmanaged<nint, void>)Export(library, "EVP_CIPHER_CTX_free");
        _cipherInit = (delegate* unmanaged<nint, nint, nint, byte*, byte*, int, int>)Export(library, "EVP_CipherInit_ex");
        _cipherUpdate = (delegate* unmanaged<nint, byte*, int*, byte*, int, int>)Export(library, "EVP_CipherUpdate");
        _cipherFinal = (delegate* unmanaged<nint, byte*, int*, int>)Export(library, "EVP_CipherFinal_ex");
        _ctxCtrl = (delegate* unmanaged<nint, int, int, void*, int>)Export(library, "EVP_CIPHER_CTX_ctrl");
        _errClearError = (delegate* unmanaged<void>)Export(library, "ERR_clear_error");
        var fetch = (delegate* unmanaged<nint, byte*, byte*, nint>)Export(library, "EVP_CIPHER_fetch");
        // Fetched once for the process's life; a re-key passes no cipher, so OpenSSL keeps its provider context.
        fixed (byte* name = "AES-256-GCM\0"u8) _aes256Gcm = fetch(0, name, null);
        fixed (byte* name = "AES-128-GCM\0"u8) _aes128Gcm = fetch(0, name, null);
        fixed (byte* name = "ChaCha20-Poly1305\0"u8) _chaCha20Poly1305 = fetch(0, name, null);
    }

    /// <summary>
    /// Loads <paramref name="library"/> and checks every AEAD cipher against the BCL; null when the library or a
    /// symbol is missing or no cipher passes. Tests load a library that is not libcrypto to see the fallback.
    /// </summary>
    public static LibCrypto? TryLoad(string library)
    {
        if (!NativeLibrary.TryLoad(library, out nint handle)) return null;
        LibCrypto api;
        try
        {
            api = new LibCrypto(handle);
        }
        catch (EntryPointNotFoundException)
        {
            NativeLibrary.Free(handle);
            return null;
        }
        api.SelfTest();
        if (DataCipher.All.Any(api.Supports)) return api;
        NativeLibrary.Free(handle);
        return null;
    }

    /// <summary>Whether <paramref name="cipher"/> runs here (fetched, and its self-test matched the BCL).</summary>
    public bool Supports(DataCipher cipher) => CipherFor(cipher) != 0;

    /// <summary>The fetched EVP_CIPHER of an AEAD cipher, 0 if unsupported.</summary>
    public nint CipherFor(DataCipher cipher) =>
        cipher == DataCipher.Aes256Gcm ? _aes256Gcm
        : cipher == DataCipher.Aes128Gcm ? _aes128Gcm
        : cipher == DataCipher.ChaCha20Poly1305 ? _chaCha20Poly1305
        : 0;

    public nint NewContext() => _ctxNew();

    public void FreeContext(nint ctx) => _ctxFree(ctx);

    /// <summary>EVP_CipherInit_ex; a 0 cipher keeps the context's, a null key or IV keeps the current one.</summary>
    public bool Init(nint ctx, nint cipher, byte* key, byte* iv, bool encrypt) => _cipherInit(ctx, cipher, 0, key, iv, encrypt ? 1 : 0) == 1;

    /// <summary>EVP_CipherUpdate; a null <paramref name="output"/> feeds AAD.</summary>
    public bool Update(nint ctx, byte* output, byte* input, int length)
    {
        int written;
        return _cipherUpdate(ctx, output, &written, input, length) == 1 && (output == null || written == length);
    }

    public bool Final(nint ctx, byte* output)
    {
        int written;
        return _cipherFinal(ctx, output, &written) == 1 && written == 0;
    }

    public bool GetTag(nint ctx, byte* tag, int length) => _ctxCtrl(ctx, CtrlAeadGetTag, length, tag) == 1;

    public bool SetTag(nint ctx, byte* tag, int length) => _ctxCtrl(ctx, CtrlAeadSetTag, length, tag) == 1;

    /// <summary>Drops what a failed call left on this thread's OpenSSL error queue, which .NET's own calls share.</summary>
    public void ClearErrors() => _errClearError();

    private static nint Export(nint library, string name) =>
        NativeLibrary.TryGetExport(library, name, out nint address) && address != 0
            ? address
            : throw new EntryPointNotFoundException(name);

    /// <summary>Turns off each cipher whose sealed test packet differs from the BCL's or does not open.</summary>
    private void SelfTest()
    {
        var bytes = new byte[KeyMaterial.Size];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)(i * 7 + 1);
        var keys = new KeyMaterial(bytes);
        var plaintext = new byte[33];
        for (int i = 0; i < plaintext.Length; i++) plaintext[i] = (byte)i;
        int length = DataPacketHeader.V2Size + AeadPacketCipher.Overhead + plaintext.Length;
        foreach (var cipher in DataCipher.All)
        {
            if (!Supports(cipher)) continue;
            bool passed = true;
            try
            {
                // Both directions' keys in one context: a re-key must leave nothing of the previous key behind.
                using var native = new OpenSslAeadPacketCipher(this, cipher, keys, KeyMaterial.ServerToClient);
                foreach (int slot in (ReadOnlySpan<int>)[KeyMaterial.ServerToClient, KeyMaterial.ClientToServer, KeyMaterial.ServerToClient])
                {
                    native.Rekey(cipher, keys, slot);
                    var expected = new byte[length];
                    var actual = new byte[length];
                    DataPacketHeader.WriteV2(expected, 1, 0x123456);
                    DataPacketHeader.WriteV2(actual, 1, 0x123456);
                    using (var bcl = new AeadPacketCipher(cipher, keys, slot))
                        bcl.Seal(expected, DataPacketHeader.V2Size, 0x01020304, plaintext);
                    native.Seal(actual, DataPacketHeader.V2Size, 0x01020304, plaintext);
                    var opened = new byte[plaintext.Length];
                    passed &= actual.AsSpan().SequenceEqual(expected)
                              && native.TryOpen(actual, DataPacketHeader.V2Size, opened, out int n, out _)
                              && opened.AsSpan(0, n).SequenceEqual(plaintext);
                    actual[DataPacketHeader.V2Size + AeadPacketCipher.PacketIdSize] ^= 1;
                    passed &= !native.TryOpen(actual, DataPacketHeader.V2Size, opened, out _, out _);
                }
            }
            catch (Exception)
            {
                // Anything unexpected (including a BCL without this cipher to compare with) turns the cipher off:
                // the BCL path stays what it was.
                passed = false;
            }
            if (!passed) Disable(cipher);
        }
    }

    private void Disable(DataCipher cipher)
    {
        if (cipher == DataCipher.Aes256Gcm) _aes256Gcm = 0;
        else if (cipher == DataCipher.Aes128Gcm) _aes128Gcm = 0;
        else if (cipher == DataCipher.ChaCha20Poly1305) _chaCha20Poly1305 = 0;
    }
}
