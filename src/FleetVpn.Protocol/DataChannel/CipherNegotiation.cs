namespace FleetVpn.Protocol.DataChannel;

/// <summary>
/// Server-side NCP as 2.6 decides it (<c>ncp_get_best_cipher()</c> in ssl_ncp.c, §9.1): the client's
/// list is IV_CIPHERS, else AES-256-GCM:AES-128-GCM when IV_NCP≥2; the client's own `cipher` from
/// its options string counts only when it sent no IV_CIPHERS; the server's order decides.
/// </summary>
public static class CipherNegotiation
{
    public static DataCipher? Choose(IReadOnlyList<string> serverCiphers, PeerInfo peer, string? clientOptionsCipher)
    {
        IReadOnlyList<string> clientList = peer.Ciphers
            ?? (peer.Ncp >= 2 ? ["AES-256-GCM", "AES-128-GCM"] : []);
        foreach (var name in serverCiphers)
        {
            bool offered = clientList.Any(c => string.Equals(c, name, StringComparison.OrdinalIgnoreCase))
                || (peer.Ciphers is null && string.Equals(clientOptionsCipher, name, StringComparison.OrdinalIgnoreCase));
            if (offered && DataCipher.Find(name) is { } cipher) return cipher;
        }
        return null;
    }
}
