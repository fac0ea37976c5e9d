using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FleetVpn.ControlChannel.Revocation;

namespace FleetVpn.Server.Config;

/// <summary>
/// <c>crl-verify FILE</c> (one or several concatenated PEM CRLs; inline <c>&lt;crl-verify&gt;</c> too) and <c>crl-verify DIR dir</c>. The file is read and
/// decoded when the directive is applied; its signatures are checked once the whole config is read (<see cref="Build"/>),
/// because <c>ca</c> may come after it. A CRL that cannot be read, or that no configured CA signed, stops the start.
/// </summary>
internal sealed class CrlVerifyDirective
{
    private const string CrlLabel = "X509 CRL";
    private const string BeginMarker = "-----BEGIN X509 CRL-----";

    private ConfigDirective? _directive;
    private string? _file;
    private List<RevocationList>? _lists;
    private string? _directory;

    public void Apply(ConfigDirective directive, string baseDirectory)
    {
        _directive = directive;
        (_file, _lists, _directory) = (null, null, null);
        if (directive.IsInline)
        {
            // <crl-verify>...</crl-verify>, as OpenVPN 2.4+ accepts it (the file form only).
            _file = $"<{directive.Name}> at {directive.Location}";
            _lists = Decode(directive.InlineContent!, directive);
            return;
        }
        var arguments = DirectiveArguments.Expect(directive, 1, 2);
        if (arguments.Count == 2 && arguments[1] != "dir")
            throw directive.Error($"'{arguments[1]}' is not a flag of crl-verify (only 'dir')");
        var path = ConfigFiles.Resolve(baseDirectory, arguments[0]);
        if (arguments.Count == 2)
        {
            // OpenVPN checks the directory at start-up (check_file_access(CHKACC_ACPTSTDIN..., R_OK|X_OK, "--crl-verify directory")).
            if (!ConfigFiles.TryCheckDirectory(path, out var reason)) throw directive.Error($"cannot use {path}: {reason}");
            _directory = path;
            return;
        }
        if (!ConfigFiles.TryReadText(path, out var text, out var readReason)) throw directive.Error($"cannot read {path}: {readReason}");
        _file = path;
        _lists = Decode(text, directive);
    }

    /// <summary>The check to run at each handshake, or null without <c>crl-verify</c>; refuses CRLs no CA in <paramref name="caCertificates"/> signed.</summary>
    public IRevocationCheck? Build(X509Certificate2Collection caCertificates)
    {
        if (_directive is null) return null;
        if (_directory is not null) return new CrlDirectoryRevocation(_directory);
        var lists = _lists!;
        for (var i = 0; i < lists.Count; i++)
        {
            var list = lists[i];
            bool signed;
            try
            {
                signed = caCertificates.Any(list.IsSignedBy);
            }
            catch (Exception e) when (e is NotSupportedException or CryptographicException)
            {
                throw _directive.Error($"CRL {i + 1} in {_file}: {e.Message}", e);
            }
            if (!signed)
                throw _directive.Error($"CRL {i + 1} in {_file} (issuer '{list.Issuer.Name}') is not signed by a certificate of 'ca': " +
                                       "a CRL must come from the CA that issued the clients' certificates");
        }
        return new CrlFileRevocation(_file!, lists);
    }

    private static List<RevocationList> Decode(string pem, ConfigDirective directive)
    {
        var lists = new List<RevocationList>();
        foreach (var (label, der) in KeyMaterialLoader.EnumeratePem(pem))
        {
            if (label != CrlLabel) continue;
            try
            {
                lists.Add(RevocationList.Decode(der));
            }
            catch (FormatException e)
            {
                throw directive.Error($"CRL {lists.Count + 1} in the file cannot be read: {e.Message}", e);
            }
        }
        if (lists.Count == 0) throw directive.Error("contains no PEM CRL (-----BEGIN X509 CRL-----)");
        // PemEncoding.TryFind passes over a damaged block; a CRL silently left out would leave its revocations out.
        var blocks = pem.Split(BeginMarker).Length - 1;
        if (blocks != lists.Count)
            throw directive.Error($"{blocks - lists.Count} of the {blocks} CRL blocks in the file are not valid PEM (damaged base64 or a missing END line)");
        return lists;
    }
}
