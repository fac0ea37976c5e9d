using System.CommandLine;
using FleetVpn.Pki;

namespace FleetVpn.Cli.Commands;

/// <summary><c>fleetvpn pki crl DIR [--out FILE] [--days D]</c>: a CRL signed by DIR's CA listing every revoked certificate.</summary>
internal static class PkiCrlCommand
{
    public static Command Create()
    {
        var directory = PkiOptions.Directory();
        var output = new Option<string?>("--out")
        {
            Description = "Where to write the CRL (PEM; replaced atomically when it exists). Default: DIR/crl.pem.",
            HelpName = "FILE",
        };
        var days = PkiOptions.Days(CertificateAuthority.DefaultCrlDays, "the CRL stays");
        var command = new Command("crl",
            "Write a CRL (PEM, signed by DIR's CA) that lists every certificate revoked with 'fleetvpn pki revoke', for the server's " +
            "'crl-verify FILE'. Remake it before it expires (--days): with an expired CRL the server, like OpenVPN, refuses every client.")
        {
            directory, output, days,
        };
        command.SetAction(parse => PkiOptions.Run(() =>
        {
            using var ca = CertificateAuthority.Open(parse.GetRequiredValue(directory));
            var crl = ca.WriteCrl(parse.GetValue(output), parse.GetValue(days));
            Console.WriteLine($"CRL number {crl.Number}: {crl.RevokedCount} revoked certificate(s), valid until {crl.NextUpdate:yyyy-MM-dd HH:mm}Z: {crl.Path}");
            return PkiOptions.ExitOk;
        }));
        return command;
    }
}
