using System.Runtime.Versioning;

[assembly: SupportedOSPlatform("linux")]

namespace FleetVpn.Pki.Tests;

/// <summary>A PKI directory under the temp folder for one test, deleted afterwards.</summary>
public sealed class TempPki : IDisposable
{
    public TempPki()
    {
        Parent = Path.Combine(Path.GetTempPath(), $"fvpki-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Parent);
        Root = Path.Combine(Parent, "pki");
    }

    /// <summary>A folder of this test's own, which holds <see cref="Root"/>.</summary>
    public string Parent { get; }

    /// <summary>The PKI directory (not created until <c>init</c>).</summary>
    public string Root { get; }

    public PkiLayout Layout => new(Root);

    public CertificateAuthority Init(PkiKeyType keyType = PkiKeyType.EcdsaP256) =>
        CertificateAuthority.Create(Root, keyType: keyType);

    public void Dispose()
    {
        try { Directory.Delete(Parent, recursive: true); }
        catch (IOException) { /* best effort */ }
    }
}
