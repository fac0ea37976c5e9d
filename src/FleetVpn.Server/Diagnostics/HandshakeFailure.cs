namespace FleetVpn.Server.Diagnostics;

/// <summary>Why a client's first (or a later) TLS handshake did not finish: the reason label of the failure counter.</summary>
public enum HandshakeFailure
{
    /// <summary>Not finished within hand-window.</summary>
    TimedOut,
    /// <summary>The client's certificate was rejected (chain, remote-cert-tls, expiry).</summary>
    CertificateRejected,
    /// <summary>Refused after TLS: ccd `disable`, no address left, ccd-exclusive without a file.</summary>
    Refused,
    /// <summary>Any other TLS or control-channel error before the keys were installed.</summary>
    TlsError,
}
