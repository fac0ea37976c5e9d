namespace FleetVpn.Server.Sessions;

/// <summary>
/// Told when a client is admitted (its first keys installed) and when its session ends. Called on the
/// thread that did it (a TLS task, a worker, the shutdown path): an implementation only enqueues.
/// </summary>
public interface ISessionObserver
{
    void Established(ClientSession session);

    /// <summary>Every session that ends, admitted or not (<see cref="ClientSession.Keys"/> is null for one never admitted).</summary>
    void Closed(ClientSession session, string reason);
}
