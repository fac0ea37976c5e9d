namespace FleetVpn.Protocol.DataChannel;

/// <summary>
/// Server-side NCP as 2.6 decides it (<c>ncp_get_best_cipher()</c> in ssl_ncp.c, §9.1): the client's
/// list is IV_CIPHERS, else AES-256-GCM:AES-128-GCM when IV_NCP≥2; the client's own `cipher` from
/// its options string counts only when it sent no IV_CIPHERS; the server's order decides.
/// A client that sent no list at all gets `data-ciphers-fallback` when nothing matched
/// (<c>multi_client_set_protocol_options()</c> in multi.c).
/// </summary>
public static class CipherNegotiation
{
    public static DataCipher? Choose(IReadOnlyList<string> serverCiphers, PeerInfo peer, string? clientOptionsCipher, string? fallback = null)
    {
        IReadOnlyList<string> clientList = peer.Ciphers
            ?? (peer.Ncp >= 2 ? ["AES-256-GCM", "AES-128-GCM"] : []);
        foreach (var name in serverCiphers)
        {
            bool offered = clientList.Any(c => string.Equals(c, name, StringComparison.OrdinalIgnoreCase))
                || (peer.Ciphers is null && string.Equals(clientOptionsCipher, name, StringComparison.OrdinalIgnoreCase));
            if (offered && DataCipher.FindAny(name) is { } cipher) return cipher;
        }
        return peer.Ciphers is null && fallback is not null ? DataCipher.FindAny(fallback) : null;
    }
}
