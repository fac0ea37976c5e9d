using System.Security.Cryptography.X509Certificates;

namespace FleetVpn.ControlChannel.Revocation;

/// <summary>How revocation refusals name a certificate: its CN and serial (decimal, as OpenVPN logs it, and hex, as openssl prints it).</summary>
internal static class RevocationMessages
{
    public static string Name(X509Certificate2 certificate, int depth)
    {
        var serial = certificate.SerialNumberBytes.Span;
        var what = depth == 0 ? "certificate" : $"CA certificate (depth {depth})";
        return $"{what} CN={ClientCertificatePolicy.CommonName(certificate)}, serial={RevocationList.DecimalSerial(serial)} (0x{Convert.ToHexString(serial)})";
    }
}
