namespace FleetVpn.Pki;

/// <summary>The kind of key pair a certificate gets.</summary>
public enum PkiKeyType
{
    /// <summary>ECDSA on NIST P-256 (prime256v1), signed with SHA-256: the default, fast to make.</summary>
    EcdsaP256,

    /// <summary>RSA 2048 (PKCS#1 v1.5 signatures with SHA-256), for peers that need RSA.</summary>
    Rsa2048,
}
