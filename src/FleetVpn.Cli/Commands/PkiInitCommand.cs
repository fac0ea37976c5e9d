using System.CommandLine;
using FleetVpn.Pki;

namespace FleetVpn.Cli.Commands;

/// <summary><c>fleetvpn pki init DIR [--cn NAME] [--days D] [--rsa]</c>: makes the CA; refuses a DIR that has one.</summary>
internal static class PkiInitCommand
{
    public static Command Create()
    {
        var directory = PkiOptions.Directory();
        var commonName = new Option<string>("--cn")
        {
            Description = $"The CA's common name (default '{CertificateAuthority.DefaultCommonName}').",
            HelpName = "NAME",
            DefaultValueFactory = _ => CertificateAuthority.DefaultCommonName,
        };
        var days = PkiOptions.Days(CertificateAuthority.DefaultCaDays, "the CA stays");
        var rsa = PkiOptions.Rsa();
        var keyType = PkiOptions.KeyType();

        var command = new Command("init",
            "Make a new CA in DIR (created when missing): DIR/ca.crt and DIR/private/ca.key (private/ is 0700, the key 0600). " +
            "Refuses a DIR that already has a CA (DIR/ca.crt).")
        {
            directory, commonName, days, rsa, keyType,
        };
        command.SetAction(parse => PkiOptions.Run(() =>
        {
            var type = PkiOptions.KeyTypeOf(parse, rsa, keyType);
            using var ca = CertificateAuthority.Create(parse.GetRequiredValue(directory), parse.GetRequiredValue(commonName),
                type, parse.GetValue(days));
            Console.WriteLine($"CA '{ca.Certificate.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, false)}' " +
                              $"({PkiOptions.Describe(type)}, valid until {ca.Certificate.NotAfter.ToUniversalTime():yyyy-MM-dd}): " +
                              $"{ca.Layout.CaCertificatePath}, key {ca.Layout.CaKeyPath}");
            return PkiOptions.ExitOk;
        }));
        return command;
    }
}
