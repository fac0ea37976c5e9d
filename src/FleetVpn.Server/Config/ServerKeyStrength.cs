using System.Security.Cryptography.X509Certificates;

namespace FleetVpn.Server.Config;

/// <summary>
/// Refuses a server certificate whose key is too weak to protect a fleet: RSA under 2048 bits (NIST SP 800-131A;
/// OpenSSL's security level 2, the default of current distributions, refuses it too) and EC under 256 bits.
/// </summary>
internal static class ServerKeyStrength
{
    public const int MinRsaBits = 2048;
    public const int MinEcBits = 256;

    /// <summary>Why the certificate's key is too weak, or null when it is strong enough.</summary>
    public static string? Weakness(X509Certificate2 certificate)
    {
        using (var rsa = certificate.GetRSAPublicKey())
        {
            if (rsa is not null)
                return rsa.KeySize < MinRsaBits ? $"the server certificate's RSA key has {rsa.KeySize} bits; at least {MinRsaBits} are required" : null;
        }
        using (var ec = certificate.GetECDsaPublicKey())
        {
            if (ec is not null)
                return ec.KeySize < MinEcBits ? $"the server certificate's EC key has {ec.KeySize} bits; at least {MinEcBits} (P-256) are required" : null;
        }
        return null;
    }
}
