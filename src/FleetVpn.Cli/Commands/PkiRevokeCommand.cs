using System.CommandLine;
using FleetVpn.Pki;

namespace FleetVpn.Cli.Commands;

/// <summary><c>fleetvpn pki revoke DIR (--cn NAME | --serial HEX)</c>: records a certificate as revoked, for the next <c>pki crl</c>.</summary>
internal static class PkiRevokeCommand
{
    public static Command Create()
    {
        var directory = PkiOptions.Directory();
        var commonName = new Option<string?>("--cn")
        {
            Description = "The certificate DIR/issued/NAME.crt; it moves to DIR/revoked/SERIAL.crt and its key to DIR/private/revoked-SERIAL.key, so NAME can be issued again.",
            HelpName = "NAME",
        };
        var serial = new Option<string?>("--serial")
        {
            Description = "A serial number in hex, as 'openssl x509 -noout -serial' prints it (for a certificate whose file is gone).",
            HelpName = "HEX",
        };
        var command = new Command("revoke",
            "Revoke a certificate of DIR's CA: it is added to DIR/revoked.txt, and the next 'fleetvpn pki crl' lists it. " +
            "The server refuses it once it loads that CRL (crl-verify). Give --cn or --serial.")
        {
            directory, commonName, serial,
        };
        command.SetAction(parse => PkiOptions.Run(() =>
        {
            using var ca = CertificateAuthority.Open(parse.GetRequiredValue(directory));
            var revoked = ca.Revoke(parse.GetValue(commonName), parse.GetValue(serial));
            Console.WriteLine($"revoked {(revoked.CommonName is { } cn ? $"'{cn}' " : "")}serial {revoked.SerialHex} " +
                              $"(decimal {revoked.SerialDecimal}, the file name for 'crl-verify DIR dir'); " +
                              $"run 'fleetvpn pki crl {parse.GetRequiredValue(directory)}' and give the server the new CRL");
            return PkiOptions.ExitOk;
        }));
        return command;
    }
}
