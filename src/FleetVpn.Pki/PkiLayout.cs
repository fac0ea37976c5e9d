namespace FleetVpn.Pki;

/// <summary>
/// Where the files of a PKI directory live, in easy-rsa's layout: <c>DIR/ca.crt</c>,
/// <c>DIR/private/ca.key</c>, <c>DIR/issued/CN.crt</c>, <c>DIR/private/CN.key</c>.
/// </summary>
public sealed class PkiLayout
{
    /// <summary>Mode of <c>DIR/private</c>: 0700.</summary>
    public const UnixFileMode PrivateDirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Mode of every private key file: 0600.</summary>
    public const UnixFileMode KeyFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Mode of certificates and of <c>DIR</c>, <c>DIR/issued</c>: 0644 for files, 0755 for folders.</summary>
    public const UnixFileMode CertificateFileMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public const UnixFileMode PublicDirectoryMode = CertificateFileMode
        | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    public PkiLayout(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Root = Path.GetFullPath(directory);
    }

    /// <summary>The PKI directory, as an absolute path.</summary>
    public string Root { get; }

    public string CaCertificatePath => Path.Combine(Root, "ca.crt");

    public string PrivateDirectory => Path.Combine(Root, "private");

    public string IssuedDirectory => Path.Combine(Root, "issued");

    public string CaKeyPath => Path.Combine(PrivateDirectory, "ca.key");

    /// <summary><c>DIR/revoked.txt</c>: one revoked certificate a line (hex serial, time, common name), what <c>pki crl</c> lists.</summary>
    public string RevokedIndexPath => Path.Combine(Root, "revoked.txt");

    /// <summary><c>DIR/revoked</c>: certificates moved out of <c>issued/</c> by <c>pki revoke</c>, named by serial.</summary>
    public string RevokedDirectory => Path.Combine(Root, "revoked");

    /// <summary><c>DIR/crlnumber</c>: the number of the last CRL made (decimal), as easy-rsa keeps it.</summary>
    public string CrlNumberPath => Path.Combine(Root, "crlnumber");

    /// <summary><c>DIR/crl.pem</c>: where <c>pki crl</c> writes by default.</summary>
    public string CrlPath => Path.Combine(Root, "crl.pem");

    /// <summary><c>DIR/issued/CN.crt</c>.</summary>
    public string CertificatePath(string commonName) => Path.Combine(IssuedDirectory, commonName + ".crt");

    /// <summary><c>DIR/private/CN.key</c>.</summary>
    public string KeyPath(string commonName) => Path.Combine(PrivateDirectory, commonName + ".key");
}
