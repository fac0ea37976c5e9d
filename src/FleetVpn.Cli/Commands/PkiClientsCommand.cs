using System.CommandLine;
using System.Globalization;
using FleetVpn.Pki;

namespace FleetVpn.Cli.Commands;

/// <summary>
/// <c>fleetvpn pki clients DIR --count N [--prefix device-] [--days D] [--rsa]</c>: N client certificates
/// (clientAuth) on all cores, numbered on from the highest existing number, with a progress bar on stderr.
/// </summary>
internal static class PkiClientsCommand
{
    public static Command Create()
    {
        var directory = PkiOptions.Directory();
        var count = new Option<int>("--count")
        {
            Description = "How many client certificates to make.",
            HelpName = "N",
            Required = true,
        };
        var prefix = new Option<string>("--prefix")
        {
            Description = $"Common names are PREFIX and a 6-digit number (default '{PkiNames.DefaultClientPrefix}': {PkiNames.ClientName(PkiNames.DefaultClientPrefix, 1)}).",
            HelpName = "PREFIX",
            DefaultValueFactory = _ => PkiNames.DefaultClientPrefix,
        };
        var days = PkiOptions.Days(CertificateAuthority.DefaultLeafDays, "the certificates stay");
        var rsa = PkiOptions.Rsa();
        var keyType = PkiOptions.KeyType();

        var command = new Command("clients",
            "Issue N client certificates (extended key usage clientAuth) from DIR's CA, named PREFIX + a 6-digit number " +
            "(device-000001, device-000002, ...), using every core. Numbering continues after the highest number " +
            "DIR already has for PREFIX, so running it again adds N more clients and never overwrites one. " +
            "Progress goes to stderr (one line rewritten on a terminal, a line every 10% otherwise).")
        {
            directory, count, prefix, days, rsa, keyType,
        };
        command.SetAction(parse => PkiOptions.Run(() =>
        {
            var type = PkiOptions.KeyTypeOf(parse, rsa, keyType);
            var total = parse.GetValue(count);
            using var ca = CertificateAuthority.Open(parse.GetRequiredValue(directory));
            var progress = PkiProgress.ForStandardError(total, "certificates");
            ClientBatchResult result;
            try
            {
                result = ca.IssueClients(new ClientBatchRequest
                {
                    Count = total,
                    Prefix = parse.GetValue(prefix) ?? PkiNames.DefaultClientPrefix,
                    Days = parse.GetValue(days),
                    KeyType = type,
                }, progress.Report);
            }
            finally
            {
                progress.Finish();
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{result.Count} client certificates ({PkiOptions.Describe(type)}) {result.FirstName} .. {result.LastName} in {ca.Layout.Root}: " +
                $"{result.Elapsed.TotalSeconds:0.00} s, {result.PerSecond:0} per second on {Environment.ProcessorCount} cores"));
            return PkiOptions.ExitOk;
        }));
        return command;
    }
}
