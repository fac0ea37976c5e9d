namespace FleetVpn.Protocol.DataChannel;

/// <summary>The data-channel ciphers FleetVPN speaks, with OpenVPN's names and key sizes (§5.6).</summary>
public sealed record DataCipher(string Name, int KeyLength, bool IsAead)
{
    public static readonly DataCipher Aes256Gcm = new("AES-256-GCM", 32, true);
    public static readonly DataCipher Aes128Gcm = new("AES-128-GCM", 16, true);
    public static readonly DataCipher ChaCha20Poly1305 = new("CHACHA20-POLY1305", 32, true);

    /// <summary>Legacy AES-256-CBC + HMAC (§7.3, <see cref="CbcHmacPacketCipher"/>).</summary>
    public static readonly DataCipher Aes256Cbc = new("AES-256-CBC", 32, false);

    /// <summary>Legacy AES-128-CBC + HMAC (§7.3, <see cref="CbcHmacPacketCipher"/>).</summary>
    public static readonly DataCipher Aes128Cbc = new("AES-128-CBC", 16, false);

    /// <summary>The AEAD ciphers (what <see cref="Find"/> and NCP choose from).</summary>
    public static IReadOnlyList<DataCipher> All { get; } = [Aes256Gcm, Aes128Gcm, ChaCha20Poly1305];

    /// <summary>The CBC + HMAC ciphers (not in <see cref="All"/>; BF-CBC is not supported).</summary>
    public static IReadOnlyList<DataCipher> CbcHmac { get; } = [Aes256Cbc, Aes128Cbc];

    /// <summary>Finds a cipher by OpenVPN name, case-insensitively (OpenVPN accepts "aes-256-gcm").</summary>
    public static DataCipher? Find(string name) =>
        All.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Like <see cref="Find"/>, but also finds the <see cref="CbcHmac"/> ciphers.</summary>
    public static DataCipher? FindAny(string name) =>
        Find(name) ?? CbcHmac.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));

    public override string ToString() => Name;
}
