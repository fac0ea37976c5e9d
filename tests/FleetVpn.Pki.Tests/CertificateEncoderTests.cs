using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FleetVpn.Pki.Tests;

/// <summary>The leaf encoder writes the same TBSCertificate as <see cref="CertificateRequest"/> for the same fields.</summary>
public sealed class CertificateEncoderTests
{
    public static TheoryData<PkiKeyType, PkiKeyType, CertificateRole, string> Cases => new()
    {
        { PkiKeyType.EcdsaP256, PkiKeyType.EcdsaP256, CertificateRole.Client, "2030-01-01T00:00:00Z" },
        { PkiKeyType.EcdsaP256, PkiKeyType.Rsa2048, CertificateRole.Server, "2030-01-01T00:00:00Z" },
        { PkiKeyType.Rsa2048, PkiKeyType.EcdsaP256, CertificateRole.Client, "2060-06-01T12:00:00Z" }, // GeneralizedTime
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Tbs_equals_what_certificate_request_writes(PkiKeyType caType, PkiKeyType leafType, CertificateRole role, string notAfterText)
    {
        using var caKey = LeafKeys.Generate(caType);
        var caSubject = new X500DistinguishedName("CN=Encoder Test CA");
        var caRequest = caKey is RSA rsa
            ? new CertificateRequest(caSubject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest(caSubject, (ECDsa)caKey, HashAlgorithmName.SHA256);
        CertificateProfiles.AddCaExtensions(caRequest);
        var start = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);
        using var ca = caRequest.CreateSelfSigned(start, DateTimeOffset.Parse("2070-01-01T00:00:00Z"));

        using var leafKey = LeafKeys.Generate(leafType);
        var spki = leafKey.ExportSubjectPublicKeyInfo();
        var extensions = CertificateProfiles.LeafCommonExtensions(role, leafType, CertificateProfiles.AuthorityKeyIdentifier(ca)).ToList();
        extensions.Add(CertificateEncoder.SubjectKeyIdentifier(spki));
        if (role == CertificateRole.Server) extensions.Add(CertificateProfiles.ServerAlternativeName("vpn.example.com"));
        var subject = new X500DistinguishedName("CN=device-000123");
        var serial = SerialNumbers.New();
        var notAfter = DateTimeOffset.Parse(notAfterText);

        using var signer = new CaSigner(ca, caKey is RSA ? ExportRsa(caKey) : ExportEc(caKey));
        var ours = signer.Sign(serial, subject, spki, start, notAfter, extensions);

        var request = new CertificateRequest(subject, new PublicKey(leafKey), signer.HashAlgorithm);
        foreach (var e in extensions) request.CertificateExtensions.Add(e);
        var generator = caKey is RSA r
            ? X509SignatureGenerator.CreateForRSA(r, RSASignaturePadding.Pkcs1)
            : X509SignatureGenerator.CreateForECDsa((ECDsa)caKey);
        using var theirs = request.Create(ca.SubjectName, generator, start, notAfter, serial);

        Assert.Equal(Convert.ToHexString(Tbs(theirs.RawData)), Convert.ToHexString(Tbs(ours)));
        using var loaded = X509CertificateLoader.LoadCertificate(ours);
        Assert.Equal(theirs.SignatureAlgorithm.Value, loaded.SignatureAlgorithm.Value);
        CertificateChecks.AssertChainsTo(loaded, ca, role == CertificateRole.Server ? CertificateProfiles.ServerAuthOid : CertificateProfiles.ClientAuthOid);
    }

    [Fact]
    public void Subject_key_identifier_equals_the_bcl_default()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var spki = key.ExportSubjectPublicKeyInfo();
        Assert.Equal(new X509SubjectKeyIdentifierExtension(new PublicKey(key), false).RawData, CertificateEncoder.SubjectKeyIdentifier(spki).RawData);
    }

    [Fact]
    public void Serial_numbers_are_16_positive_bytes_without_a_leading_zero()
    {
        for (var i = 0; i < 200; i++)
        {
            var serial = SerialNumbers.New();
            Assert.Equal(16, serial.Length);
            Assert.Equal(0x40, serial[0] & 0xC0);
        }
    }

    private static byte[] Tbs(byte[] certificate)
    {
        var sequence = new AsnReader(certificate, AsnEncodingRules.DER).ReadSequence();
        return sequence.ReadEncodedValue().ToArray();
    }

    private static AsymmetricAlgorithm ExportRsa(AsymmetricAlgorithm key)
    {
        var copy = RSA.Create();
        copy.ImportPkcs8PrivateKey(key.ExportPkcs8PrivateKey(), out _);
        return copy;
    }

    private static AsymmetricAlgorithm ExportEc(AsymmetricAlgorithm key)
    {
        var copy = ECDsa.Create();
        copy.ImportPkcs8PrivateKey(key.ExportPkcs8PrivateKey(), out _);
        return copy;
    }
}
