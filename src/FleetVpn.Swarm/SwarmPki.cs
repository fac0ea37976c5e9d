using System.Security.Cryptography.X509Certificates;
using FleetVpn.ControlChannel;

namespace FleetVpn.Swarm;

/// <summary>
/// The client identities of a PKI directory in easy-rsa layout: <c>DIR/ca.crt</c>,
/// <c>DIR/issued/&lt;CN&gt;.crt</c> and <c>DIR/private/&lt;CN&gt;.key</c> (PEM). Every issued certificate is a
/// client identity except a server's (one whose extended key usage is serverAuth only).
/// Client i of the swarm uses identity i mod count.
/// </summary>
public sealed class SwarmPki
{
    private SwarmPki(X509Certificate2Collection ca, IReadOnlyList<ClientTlsSettings> identities, IReadOnlyList<string> names)
    {
        TrustAnchors = ca;
        Identities = identities;
        CommonNames = names;
    }

    public X509Certificate2Collection TrustAnchors { get; }
    public IReadOnlyList<ClientTlsSettings> Identities { get; }
    public IReadOnlyList<string> CommonNames { get; }

    public static SwarmPki Load(string directory, int maxIdentities = int.MaxValue)
    {
        var caPath = Path.Combine(directory, "ca.crt");
        if (!File.Exists(caPath)) throw new FileNotFoundException($"{caPath} not found (expected an easy-rsa PKI directory)");
        var ca = ClientTlsSettings.LoadTrustAnchors(caPath);
        var issued = Path.Combine(directory, "issued");
        if (!Directory.Exists(issued)) throw new DirectoryNotFoundException($"{issued} not found (expected an easy-rsa PKI directory)");

        var identities = new List<ClientTlsSettings>();
        var names = new List<string>();
        foreach (var certPath in Directory.EnumerateFiles(issued, "*.crt").Order(StringComparer.Ordinal))
        {
            if (identities.Count >= maxIdentities) break;
            var name = Path.GetFileNameWithoutExtension(certPath);
            using (var publicOnly = X509CertificateLoader.LoadCertificateFromFile(certPath))
                if (ServerCertificatePolicy.IsServerOnly(publicOnly)) continue;
            var keyPath = Path.Combine(directory, "private", name + ".key");
            if (!File.Exists(keyPath)) throw new FileNotFoundException($"{keyPath} not found for {certPath}");
            identities.Add(new ClientTlsSettings(ClientTlsSettings.LoadCertificate(certPath, keyPath), ca));
            names.Add(name);
        }
        if (identities.Count == 0) throw new InvalidDataException($"{issued}: no client certificate (only server certificates or none)");
        return new SwarmPki(ca, identities, names);
    }
}
