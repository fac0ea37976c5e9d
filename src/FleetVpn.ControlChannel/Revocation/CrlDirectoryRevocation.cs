using System.Security.Cryptography.X509Certificates;

namespace FleetVpn.ControlChannel.Revocation;

/// <summary>
/// <c>crl-verify DIR dir</c>: OpenVPN's directory form (<c>verify_check_crl_dir()</c> in ssl_verify.c). A certificate
/// is revoked when a file named after its decimal serial number exists in the directory; each certificate of the chain
/// is looked up at each handshake, so a file added or removed takes effect with the next handshake, without a reload.
/// </summary>
public sealed class CrlDirectoryRevocation : IRevocationCheck
{
    public CrlDirectoryRevocation(string directory) => Directory = directory;

    public string Directory { get; }

    public string? Check(IReadOnlyList<X509Certificate2> chain, DateTime now)
    {
        for (var depth = 0; depth < chain.Count; depth++)
        {
            var certificate = chain[depth];
            var path = Path.Combine(Directory, RevocationList.DecimalSerial(certificate.SerialNumberBytes.Span));
            // Any entry by that name revokes, as OpenVPN's open() of it succeeding does.
            if (File.Exists(path) || System.IO.Directory.Exists(path))
                return $"{RevocationMessages.Name(certificate, depth)} revoked by CRL directory {Directory}";
        }
        return null;
    }

    /// <summary>The serials named in the directory when <see cref="RevokesConnected"/> first looked (a reload reads it once).</summary>
    private HashSet<ulong>? _revokedSerials;

    /// <summary>As the per-handshake check, by serial alone: a file named after a decimal serial revokes it whoever issued it.</summary>
    public bool RevokesConnected(CertificateIdentity identity)
    {
        var revoked = Volatile.Read(ref _revokedSerials);
        if (revoked is null)
        {
            revoked = [];
            try
            {
                foreach (var entry in System.IO.Directory.EnumerateFileSystemEntries(Directory))
                {
                    if (System.Numerics.BigInteger.TryParse(Path.GetFileName(entry), System.Globalization.NumberStyles.AllowLeadingSign,
                            System.Globalization.CultureInfo.InvariantCulture, out var serial))
                        revoked.Add(CertificateIdentity.HashSerial(serial));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // unreadable now: connected clients stay; each new handshake still looks its serial up
            }
            Volatile.Write(ref _revokedSerials, revoked);
        }
        return revoked.Contains(identity.SerialHash);
    }

    public string Describe(DateTime now) => $"crl-verify {Directory} dir: a certificate is revoked when a file named after its decimal serial exists there";
}
