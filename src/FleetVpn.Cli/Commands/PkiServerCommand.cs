using System.CommandLine;
using FleetVpn.Pki;

namespace FleetVpn.Cli.Commands;

/// <summary><c>fleetvpn pki server DIR --cn NAME [--days D] [--rsa]</c>: a server certificate (serverAuth).</summary>
internal static class PkiServerCommand
{
    public static Command Create()
    {
        var directory = PkiOptions.Directory();
        var commonName = new Option<string>("--cn")
        {
            Description = "The server's common name (also its subjectAltName); the files are DIR/issued/NAME.crt and DIR/private/NAME.key.",
            HelpName = "NAME",
            Required = true,
        };
        var days = PkiOptions.Days(CertificateAuthority.DefaultLeafDays, "the certificate stays");
        var rsa = PkiOptions.Rsa();
        var keyType = PkiOptions.KeyType();

        var command = new Command("server",
            "Issue a server certificate (extended key usage serverAuth, as 'remote-cert-tls server' expects) from DIR's CA. " +
            "Refuses a NAME that has a certificate or key already.")
        {
            directory, commonName, days, rsa, keyType,
        };
        command.SetAction(parse => PkiOptions.Run(() =>
        {
            var type = PkiOptions.KeyTypeOf(parse, rsa, keyType);
            using var ca = CertificateAuthority.Open(parse.GetRequiredValue(directory));
            var issued = ca.IssueServer(parse.GetRequiredValue(commonName), type, parse.GetValue(days));
            Console.WriteLine($"server '{issued.CommonName}' ({PkiOptions.Describe(type)}): {issued.CertificatePath}, key {issued.KeyPath}");
            return PkiOptions.ExitOk;
        }));
        return command;
    }
}
