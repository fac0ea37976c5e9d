namespace FleetVpn.Protocol.DataChannel;

/// <summary>
/// Keys whose cipher contexts live in a <see cref="PacketCipherCache"/>. The cache finds an owner's entries by
/// <see cref="CipherCacheKey"/>, not by the object's identity hash: the runtime keeps an object's identity hash and
/// its lock in the same header word, so an owner that is hashed and also locked (the server's send lock) gets a
/// native sync block of ~90 bytes for life, one per connected device, allocated amid the handshakes of a burst.
/// </summary>
public interface ICipherCacheOwner
{
    /// <summary>A number given once per owner (<see cref="NewCipherCacheKey"/>); consecutive owners map to distinct entries.</summary>
    int CipherCacheKey { get; }

    private static int s_lastKey;

    /// <summary>The next owner's key.</summary>
    static int NewCipherCacheKey() => Interlocked.Increment(ref s_lastKey);
}
