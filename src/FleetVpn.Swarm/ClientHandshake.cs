using FleetVpn.ControlChannel;
using FleetVpn.Protocol.Keys;
using FleetVpn.Protocol.Reliability;

namespace FleetVpn.Swarm;

/// <summary>
/// The heavy part of a simulated client that exists only while a TLS session runs (the first
/// handshake or a renegotiation): the reliable link of that key-id, the TLS channel, the own key source.
/// </summary>
internal sealed class ClientHandshake
{
    public ClientHandshake(ReliableLink link, TlsClientChannel tls, bool renegotiation)
    {
        Link = link;
        Tls = tls;
        IsRenegotiation = renegotiation;
    }

    public ReliableLink Link { get; }
    public TlsClientChannel Tls { get; }
    public bool IsRenegotiation { get; }
    public int KeyId => Link.KeyId;
    public KeySource Own { get; } = KeySource.NewRandom(withPreMaster: true);
    public CancellationTokenSource Cancellation { get; } = new();
    public long StartedAt { get; init; }

    /// <summary>Data keys derived after key-method 2, installed when PUSH_REPLY arrives (first session).</summary>
    public KeyMaterial? Keys { get; set; }
    public long LastPushRequestAt { get; set; }
    public PushReply? Reply { get; set; }
    public bool Closed { get; set; }

    /// <summary>TLS writes so far: the first is the ClientHello, the second answers the server's first flight.</summary>
    public int TlsWrites { get; set; }

    public void Close()
    {
        if (Closed) return;
        Closed = true;
        try { Cancellation.Cancel(); } catch (ObjectDisposedException) { }
        _ = Tls.DisposeAsync().AsTask();
    }
}
