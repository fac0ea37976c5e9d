using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using FleetVpn.Protocol.Wrapping;

namespace FleetVpn.Server.Sessions;

/// <summary>
/// A tls-crypt-v2 client's control-channel key, as its session keeps it: the 128 bytes of Kc the server role uses
/// (<see cref="TlsCryptWrapper.CompactKeySize"/>), inline in one small object; never the WKc it came in. The
/// wrapper (AES and HMAC state, a few KB) is made while control packets flow and dropped when the session goes idle.
/// Not thread-safe: used under the session lock.
/// </summary>
public sealed class TlsCryptV2SessionKey
{
    private CompactKey _key;
    private TlsCryptWrapper? _wrapper;

    /// <param name="compactKey"><see cref="TlsCryptWrapper.CompactKey"/> of Kc for the server role.</param>
    public TlsCryptV2SessionKey(ReadOnlySpan<byte> compactKey)
    {
        if (compactKey.Length != TlsCryptWrapper.CompactKeySize) throw new ArgumentException("not a compact tls-crypt key", nameof(compactKey));
        compactKey.CopyTo(_key);
    }

    /// <summary>The wrapper for this client's packets, made on first use since the last <see cref="ReleaseWrapper"/>.</summary>
    public TlsCryptWrapper Wrapper => _wrapper ??= TlsCryptWrapper.FromCompactKey(_key, isServer: true);

    /// <summary>True while a wrapper exists (tests and memory accounting).</summary>
    public bool HasWrapper => _wrapper is not null;

    /// <summary>Drops the wrapper; the next packet makes a new one from the key.</summary>
    public void ReleaseWrapper()
    {
        _wrapper?.Dispose();
        _wrapper = null;
    }

    /// <summary>Drops the wrapper and wipes the key (the session closed).</summary>
    public void Clear()
    {
        ReleaseWrapper();
        CryptographicOperations.ZeroMemory(_key);
    }

    [InlineArray(TlsCryptWrapper.CompactKeySize)]
    private struct CompactKey
    {
        private byte _element;
    }
}
