using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace FleetVpn.Server.Scripts;

/// <summary>What the scripts' environment says about one client, gathered when its script is started.</summary>
public sealed record ScriptClient
{
    /// <summary>The certificate's CN (or the username with <c>username-as-common-name</c>).</summary>
    public required string CommonName { get; init; }

    /// <summary>The client's UDP address.</summary>
    public required IPEndPoint RemoteEndPoint { get; init; }

    /// <summary>The username the client sent (key method 2), when it sent one.</summary>
    public string? Username { get; init; }

    /// <summary>The client's certificate while its TLS session exists (user-pass-verify, client-connect); null after (client-disconnect).</summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>The client's peer-info text (IV_VER=..., a line each), for the IV_ variables.</summary>
    public string PeerInfo { get; init; } = "";

    /// <summary>The client's tunnel address and netmask (host order); 0 before one is assigned.</summary>
    public uint VirtualAddress { get; init; }
    public uint VirtualNetmask { get; init; }

    /// <summary>When the client's session began: <c>time_unix</c> and <c>time_ascii</c>.</summary>
    public DateTimeOffset ConnectedSince { get; init; }

    /// <summary>For client-disconnect: the session's byte counters.</summary>
    public long BytesReceived { get; init; }
    public long BytesSent { get; init; }
}
