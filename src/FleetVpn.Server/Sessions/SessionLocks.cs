using FleetVpn.Protocol.Wire;

namespace FleetVpn.Server.Sessions;

/// <summary>
/// The locks that guard the sessions' control state: a fixed set shared by every session, each session's picked by
/// its own (random) session id. The session object itself as a Monitor cost nothing while uncontended, but the runtime
/// inflates a contended Monitor to a native sync block for the rest of the object's life: after a 20,000-device
/// ramp, 4,704 sessions had one (dotnet-dump syncblk), each a native allocation made amid the handshakes' and
/// pinning their freed pages in the native heap afterwards. A <see cref="Lock"/> keeps its waiting state in itself.
/// Nothing holds two sessions' locks at once, so two sessions sharing a lock can only wait on each other, never
/// deadlock; a Lock is reentrant, as the Monitor was.
/// </summary>
public sealed class SessionLocks
{
    private readonly Lock[] _locks;
    private readonly int _mask;

    /// <param name="count">How many locks (a power of two): enough that unrelated sessions seldom share one.</param>
    public SessionLocks(int count = 4096)
    {
        if (count <= 0 || (count & (count - 1)) != 0) throw new ArgumentOutOfRangeException(nameof(count), "a power of two");
        _locks = new Lock[count];
        for (int i = 0; i < count; i++) _locks[i] = new Lock();
        _mask = count - 1;
    }

    public int Count => _locks.Length;

    /// <summary>The lock of the session with <paramref name="id"/>: always the same one for the same id.</summary>
    public Lock For(SessionId id) => _locks[(int)(id.Value ^ (id.Value >> 32)) & _mask];
}
