namespace FleetVpn.Server.Diagnostics;

/// <summary>Why packets were dropped and what the server did, counted without locks.</summary>
public sealed class ServerCounters
{
    public long Malformed;
    public long WrapperRejected;
    public long UnknownSource;
    public long BadCookie;
    public long AuthenticationFailed;
    public long Replayed;
    public long SpoofedSource;
    public long NoRoute;
    public long UnsupportedPayload;
    public long CookieReplies;
    public long HandshakesCompleted;
    public long HandshakesFailed;
    public long RefusedMaxClients;
    /// <summary>New clients not answered because the server had as many handshakes in flight as it admits (they retry).</summary>
    public long HandshakesShed;
    /// <summary>First handshakes admitted (a session made after the cookie exchange).</summary>
    public long HandshakesStarted;
    /// <summary>tls-crypt-v2 packets whose wrapped client key (WKc) did not unwrap with the server key (forged or damaged).</summary>
    public long TlsCryptV2KeyRejected;
    /// <summary>tls-crypt-v2 client keys refused by `tls-crypt-v2-max-age` (too old, or no TIMESTAMP metadata).</summary>
    public long TlsCryptV2KeyExpired;
    /// <summary>V3 resets from clients that cannot resend their key (no early negotiation: 2.5 and older), refused as with force-cookie.</summary>
    public long TlsCryptV2WithoutCookie;
    /// <summary>Initial resets not answered: <c>connect-freq-initial</c> was spent (forged resets, or a storm past it).</summary>
    public long InitialRateLimited;
    /// <summary>Clients that echoed their cookie but got no session: <c>connect-freq</c> was spent (they retry).</summary>
    public long ConnectRateLimited;
    /// <summary>Resets or cookie echoes refused because their source address had used its <c>connect-freq-per-source</c> share.</summary>
    public long SourceRateLimited;

    /// <summary>Failed handshakes by <see cref="HandshakeFailure"/>; their sum is <see cref="HandshakesFailed"/>.</summary>
    private readonly long[] _handshakeFailures = new long[Enum.GetValues<HandshakeFailure>().Length];

    public static void Increment(ref long counter) => Interlocked.Increment(ref counter);

    public void CountHandshakeFailure(HandshakeFailure reason)
    {
        Interlocked.Increment(ref HandshakesFailed);
        Interlocked.Increment(ref _handshakeFailures[(int)reason]);
    }

    public long HandshakeFailures(HandshakeFailure reason) => Interlocked.Read(ref _handshakeFailures[(int)reason]);

    public override string ToString() =>
        $"malformed={Malformed} wrapper-rejected={WrapperRejected} unknown-source={UnknownSource} bad-cookie={BadCookie} auth-failed={AuthenticationFailed} " +
        $"replayed={Replayed} spoofed-source={SpoofedSource} no-route={NoRoute} unsupported-payload={UnsupportedPayload} " +
        $"cookie-replies={CookieReplies} handshakes-ok={HandshakesCompleted} handshakes-failed={HandshakesFailed} refused-max-clients={RefusedMaxClients} handshakes-shed={HandshakesShed} " +
        $"tls-crypt-v2-key-rejected={TlsCryptV2KeyRejected} tls-crypt-v2-key-expired={TlsCryptV2KeyExpired} tls-crypt-v2-without-cookie={TlsCryptV2WithoutCookie} " +
        $"initial-rate-limited={InitialRateLimited} connect-rate-limited={ConnectRateLimited} source-rate-limited={SourceRateLimited}";
}
