using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FleetVpn.Pki;

/// <summary>
/// The CA of a PKI directory (<see cref="PkiLayout"/>): made once by <see cref="Create"/> (which refuses a
/// directory that already has one), read back by <see cref="Open"/>, and used to issue server certificates
/// (<see cref="IssueServer"/>) and numbered client certificates (<see cref="IssueClients"/>).
/// Certificates start <see cref="Backdate"/> before they are made, for devices whose clocks run a little behind.
/// </summary>
public sealed class CertificateAuthority : IDisposable
{
    public const string DefaultCommonName = "FleetVPN CA";
    public const int DefaultCaDays = 3650;
    public const int DefaultLeafDays = 825;
    public const int MaxDays = 36500;

    /// <summary>easy-rsa's default (EASYRSA_CRL_DAYS): a CRL must be remade before this many days pass, or every client is refused.</summary>
    public const int DefaultCrlDays = 180;

    /// <summary>How far before "now" a new certificate's validity starts.</summary>
    public static readonly TimeSpan Backdate = TimeSpan.FromHours(1);

    private readonly string _keyPem;

    private CertificateAuthority(PkiLayout layout, X509Certificate2 certificate, string keyPem)
    {
        Layout = layout;
        Certificate = certificate;
        _keyPem = keyPem;
        AuthorityKeyIdentifier = CertificateProfiles.AuthorityKeyIdentifier(certificate);
    }

    public PkiLayout Layout { get; }

    /// <summary>The CA certificate (without its private key).</summary>
    public X509Certificate2 Certificate { get; }

    internal X509Extension AuthorityKeyIdentifier { get; }

    /// <summary>
    /// Makes a new CA in <paramref name="directory"/> (created when missing): <c>private/</c> (0700) with
    /// <c>ca.key</c> (0600), <c>issued/</c>, and <c>ca.crt</c>. Refuses a directory that has a CA already.
    /// </summary>
    public static CertificateAuthority Create(string directory, string commonName = DefaultCommonName,
        PkiKeyType keyType = PkiKeyType.EcdsaP256, int days = DefaultCaDays, DateTimeOffset? now = null)
    {
        var layout = new PkiLayout(directory);
        ValidateDays(days);
        var subject = CaSubject(commonName);
        if (File.Exists(layout.CaCertificatePath))
            throw new PkiException($"{layout.Root} already has a CA ({layout.CaCertificatePath}); not overwriting it. " +
                                   "Use another directory, or remove the old PKI yourself.");
        if (File.Exists(layout.CaKeyPath))
            throw new PkiException($"{layout.CaKeyPath} exists (left from an earlier CA?); not overwriting it");

        CreateDirectories(layout);
        var start = Start(now);
        using var key = LeafKeys.Generate(keyType);
        var request = keyType == PkiKeyType.Rsa2048
            ? new CertificateRequest(subject, (RSA)key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest(subject, (ECDsa)key, HashAlgorithmName.SHA256);
        CertificateProfiles.AddCaExtensions(request);
        var generator = key is RSA rsa
            ? X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1)
            : X509SignatureGenerator.CreateForECDsa((ECDsa)key);
        var certificate = request.Create(subject, generator, start, start + Backdate + TimeSpan.FromDays(days), SerialNumbers.New());

        var keyPem = LeafKeys.ExportPem(key);
        PemFiles.WriteNew(layout.CaKeyPath, keyPem, PkiLayout.KeyFileMode);
        PemFiles.WriteNew(layout.CaCertificatePath, PemFiles.CertificatePem(certificate.RawData), PkiLayout.CertificateFileMode);
        return new CertificateAuthority(layout, certificate, keyPem);
    }

    /// <summary>Reads the CA of <paramref name="directory"/>; a clear <see cref="PkiException"/> when there is none or it is unusable.</summary>
    public static CertificateAuthority Open(string directory)
    {
        var layout = new PkiLayout(directory);
        if (!File.Exists(layout.CaCertificatePath))
            throw new PkiException($"{layout.Root} has no CA ({layout.CaCertificatePath} not found); make one with 'fleetvpn pki init {directory}'");
        if (!File.Exists(layout.CaKeyPath))
            throw new PkiException($"the CA's private key {layout.CaKeyPath} is missing");

        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPem(File.ReadAllText(layout.CaCertificatePath));
        }
        catch (CryptographicException e)
        {
            throw new PkiException($"{layout.CaCertificatePath}: not a PEM certificate ({e.Message})", e);
        }
        var basic = certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        if (basic is not { CertificateAuthority: true })
            throw new PkiException($"{layout.CaCertificatePath} is not a CA certificate (no basicConstraints CA:TRUE)");

        var keyPem = File.ReadAllText(layout.CaKeyPath);
        using (var key = LeafKeys.ImportPem(keyPem, layout.CaKeyPath))
        {
            if (!certificate.PublicKey.EncodedKeyValue.RawData.AsSpan().SequenceEqual(new PublicKey(key).EncodedKeyValue.RawData))
                throw new PkiException($"{layout.CaKeyPath} is not the key of {layout.CaCertificatePath}");
        }
        return new CertificateAuthority(layout, certificate, keyPem);
    }

    /// <summary>
    /// Issues the server certificate <paramref name="commonName"/> (serverAuth) into <c>issued/CN.crt</c> and
    /// <c>private/CN.key</c>; refuses a name that has either file already.
    /// </summary>
    public IssuedCertificate IssueServer(string commonName, PkiKeyType keyType = PkiKeyType.EcdsaP256,
        int days = DefaultLeafDays, DateTimeOffset? now = null)
    {
        PkiNames.ValidateCommonName(commonName);
        var (notBefore, notAfter) = LeafValidity(days, now);
        RefuseExisting(commonName);
        EnsureLeafDirectories();
        using var signer = CreateSigner();
        var common = CertificateProfiles.LeafCommonExtensions(CertificateRole.Server, keyType, AuthorityKeyIdentifier);
        return Issue(signer, common, commonName, CertificateRole.Server, keyType, notBefore, notAfter);
    }

    /// <summary>
    /// Issues <see cref="ClientBatchRequest.Count"/> client certificates named prefix + number, numbered on from
    /// the highest number the directory has for that prefix (so a second run adds clients, never overwrites),
    /// on all cores. <paramref name="progress"/> gets the number done so far, from worker threads.
    /// </summary>
    public ClientBatchResult IssueClients(ClientBatchRequest request, Action<int>? progress = null, CancellationToken cancellation = default) =>
        ClientBatchIssuer.Issue(this, request, progress, cancellation);

    /// <summary>Revokes a certificate of this CA, named by common name or serial (see <see cref="Revocations.Revoke"/>).</summary>
    public RevokedCertificate Revoke(string? commonName, string? serialHex, DateTimeOffset? now = null) =>
        Revocations.Revoke(Layout, commonName, serialHex, now ?? DateTimeOffset.UtcNow);

    /// <summary>Writes a CRL signed by this CA that lists every revoked certificate (see <see cref="Revocations.WriteCrl"/>).</summary>
    public CrlResult WriteCrl(string? path = null, int days = DefaultCrlDays, DateTimeOffset? now = null)
    {
        using var key = LeafKeys.ImportPem(_keyPem, Layout.CaKeyPath);
        using var signing = key switch
        {
            RSA rsa => Certificate.CopyWithPrivateKey(rsa),
            ECDsa ec => Certificate.CopyWithPrivateKey(ec),
            _ => throw new PkiException("the CA key is neither ECDSA nor RSA"),
        };
        return Revocations.WriteCrl(Layout, signing, path ?? Layout.CrlPath, days, now ?? DateTimeOffset.UtcNow);
    }

    /// <summary>A signer on a fresh copy of the CA key, for one thread.</summary>
    internal CaSigner CreateSigner() => new(Certificate, LeafKeys.ImportPem(_keyPem, Layout.CaKeyPath));

    /// <summary>Validity of a new leaf; refuses one that would end after the CA's.</summary>
    internal (DateTimeOffset NotBefore, DateTimeOffset NotAfter) LeafValidity(int days, DateTimeOffset? now)
    {
        ValidateDays(days);
        var start = Start(now);
        var end = start + Backdate + TimeSpan.FromDays(days);
        var caEnd = new DateTimeOffset(Certificate.NotAfter.ToUniversalTime());
        if (end > caEnd)
        {
            var most = (int)Math.Floor((caEnd - start - Backdate).TotalDays);
            throw new PkiException($"a certificate for {days} days would outlive the CA (valid until {caEnd:yyyy-MM-dd HH:mm}Z); " +
                                   $"use --days {Math.Max(most, 0)} or fewer");
        }
        return (start, end);
    }

    /// <summary>Creates <c>issued/</c> and <c>private/</c> (0700) when a PKI made elsewhere lacks them.</summary>
    internal void EnsureLeafDirectories()
    {
        PemFiles.CreateDirectory(Layout.IssuedDirectory, PkiLayout.PublicDirectoryMode);
        PemFiles.CreateDirectory(Layout.PrivateDirectory, PkiLayout.PrivateDirectoryMode);
    }

    /// <summary>Refuses a common name that has a certificate or a key in this directory.</summary>
    internal void RefuseExisting(string commonName)
    {
        if (File.Exists(Layout.CertificatePath(commonName)))
            throw new PkiException($"{Layout.CertificatePath(commonName)} already exists; not overwriting it");
        if (File.Exists(Layout.KeyPath(commonName)))
            throw new PkiException($"{Layout.KeyPath(commonName)} already exists; not overwriting it");
    }

    /// <summary>Makes one key pair and certificate and writes the key (0600), then the certificate; neither may exist.</summary>
    internal IssuedCertificate Issue(CaSigner signer, X509Extension[] common, string commonName, CertificateRole role,
        PkiKeyType keyType, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = LeafKeys.Generate(keyType);
        var publicKey = key.ExportSubjectPublicKeyInfo();
        var extensions = new List<X509Extension>(common.Length + 2);
        extensions.AddRange(common);
        extensions.Add(CertificateEncoder.SubjectKeyIdentifier(publicKey));
        if (role == CertificateRole.Server) extensions.Add(CertificateProfiles.ServerAlternativeName(commonName));
        var certificate = signer.Sign(SerialNumbers.New(), LeafSubject(commonName), publicKey, notBefore, notAfter, extensions);

        var result = new IssuedCertificate(commonName, Layout.CertificatePath(commonName), Layout.KeyPath(commonName));
        PemFiles.WriteNew(result.KeyPath, LeafKeys.ExportPem(key), PkiLayout.KeyFileMode);
        PemFiles.WriteNew(result.CertificatePath, PemFiles.CertificatePem(certificate), PkiLayout.CertificateFileMode);
        return result;
    }

    public void Dispose() => Certificate.Dispose();

    internal static void ValidateDays(int days)
    {
        if (days < 1 || days > MaxDays)
            throw new PkiException($"--days must be between 1 and {MaxDays}, not {days}");
    }

    private static DateTimeOffset Start(DateTimeOffset? now)
    {
        var t = (now ?? DateTimeOffset.UtcNow).ToUniversalTime() - Backdate;
        return new DateTimeOffset(t.Ticks - t.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
    }

    private static X500DistinguishedName CaSubject(string commonName)
    {
        if (string.IsNullOrWhiteSpace(commonName) || commonName.Length > PkiNames.MaxCommonNameLength || commonName.Any(char.IsControl))
            throw new PkiException($"the CA name '{commonName}' must be 1 to {PkiNames.MaxCommonNameLength} printable characters");
        var builder = new X500DistinguishedNameBuilder();
        builder.AddCommonName(commonName);
        return builder.Build();
    }

    private static X500DistinguishedName LeafSubject(string commonName)
    {
        var builder = new X500DistinguishedNameBuilder();
        builder.AddCommonName(commonName);
        return builder.Build();
    }

    private static void CreateDirectories(PkiLayout layout)
    {
        PemFiles.CreateDirectory(layout.Root, PkiLayout.PublicDirectoryMode);
        PemFiles.CreateDirectory(layout.IssuedDirectory, PkiLayout.PublicDirectoryMode);
        PemFiles.CreateDirectory(layout.PrivateDirectory, PkiLayout.PrivateDirectoryMode);
        // An existing private/ keeps whatever mode it had: make it 0700 now, before a key goes in.
        PemFiles.SetMode(layout.PrivateDirectory, PkiLayout.PrivateDirectoryMode);
    }
}

/// <summary>A certificate and its key as files of the PKI directory.</summary>
public sealed record IssuedCertificate(string CommonName, string CertificatePath, string KeyPath);
