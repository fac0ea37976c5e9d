namespace FleetVpn.Server.Sessions;

/// <summary>
/// Ends a client's session from outside its worker (management kill, a reload that revoked its certificate): the client
/// is first told over its control channel when it still has one (RESTART, or another message such as HALT), so that it
/// acts at once instead of at its ping-restart, then the session is closed the way every disconnect is.
/// </summary>
public static class SessionEviction
{
    /// <summary>How long an eviction waits for the client to acknowledge the message before the session goes anyway.</summary>
    private static readonly TimeSpan AcknowledgeWait = TimeSpan.FromSeconds(2);

    /// <param name="cutTraffic">Stop the client's data at once (a revoked certificate), not only when the session closes.</param>
    public static async Task EvictAsync(ClientSession session, string message, string reason, bool cutTraffic = false)
    {
        if (cutTraffic) session.CutTraffic();
        try
        {
            var told = session.NotifyRestartAsync(message);
            await Task.WhenAny(told, Task.Delay(AcknowledgeWait)).ConfigureAwait(false);
            for (int i = 0; i < 40 && !session.ControlChannelIdle; i++) await Task.Delay(50).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
        {
            // the control channel is gone: the session is closed below all the same
        }
        session.Close(reason);
    }
}
