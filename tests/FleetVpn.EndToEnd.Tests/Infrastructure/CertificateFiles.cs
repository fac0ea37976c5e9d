namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>A certificate and its unencrypted private key, as PEM files.</summary>
public sealed record CertificateFiles(string CommonName, string CertificatePath, string KeyPath);
