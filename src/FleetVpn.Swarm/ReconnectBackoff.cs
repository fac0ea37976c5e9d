namespace FleetVpn.Swarm;

/// <summary>
/// OpenVPN's reconnect delay (<c>--connect-retry 1 300</c>, <c>do_connection_retry()</c> in init.c with one
/// remote): 1 s for the first five unsuccessful attempts, then doubling (2, 4, 8 … s) up to 300 s.
/// </summary>
public static class ReconnectBackoff
{
    public const int InitialSeconds = 1;
    public const int MaxSeconds = 300;
    public const int AttemptsBeforeDoubling = 5;

    /// <summary>Seconds to wait after <paramref name="unsuccessfulAttempts"/> failed attempts in a row (≥ 1).</summary>
    public static int DelaySeconds(int unsuccessfulAttempts)
    {
        int doublings = unsuccessfulAttempts - AttemptsBeforeDoubling;
        if (doublings <= 0) return InitialSeconds;
        long seconds = (long)InitialSeconds << Math.Min(doublings, 15);
        return (int)Math.Min(MaxSeconds, seconds);
    }
}
