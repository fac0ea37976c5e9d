using System.CommandLine;
using System.Security.Cryptography;
using FleetVpn.Pki;

namespace FleetVpn.Cli.Commands;

/// <summary>
/// What the <c>fleetvpn pki</c> subcommands share: the DIR argument, the key type options
/// (<c>--rsa</c>, <c>--key-type ecdsa|rsa</c>), <c>--days</c>, and the way a refusal is reported
/// (one line on standard error, exit code <see cref="ExitError"/>).
/// </summary>
internal static class PkiOptions
{
    public const int ExitOk = 0;
    public const int ExitError = 1;

    public static Argument<string> Directory() => new("DIR")
    {
        Description = "The PKI directory, in easy-rsa's layout: DIR/ca.crt, DIR/private/ca.key, DIR/issued/CN.crt, DIR/private/CN.key.",
    };

    public static Option<bool> Rsa() => new("--rsa")
    {
        Description = "Make an RSA 2048 key instead of ECDSA P-256 (same as --key-type rsa).",
    };

    public static Option<string?> KeyType()
    {
        var option = new Option<string?>("--key-type")
        {
            Description = "The key pair to make: ecdsa (P-256, the default) or rsa (2048 bits).",
            HelpName = "ecdsa|rsa",
        };
        option.AcceptOnlyFromAmong("ecdsa", "rsa");
        return option;
    }

    public static Option<int> Days(int defaultDays, string what) => new("--days")
    {
        Description = $"How many days {what} valid (default {defaultDays}).",
        HelpName = "D",
        DefaultValueFactory = _ => defaultDays,
    };

    /// <summary>The key type that <c>--rsa</c> and <c>--key-type</c> ask for; both at once must agree.</summary>
    public static PkiKeyType KeyTypeOf(ParseResult parse, Option<bool> rsa, Option<string?> keyType)
    {
        var wantsRsa = parse.GetValue(rsa);
        return parse.GetValue(keyType) switch
        {
            null => wantsRsa ? PkiKeyType.Rsa2048 : PkiKeyType.EcdsaP256,
            "rsa" => PkiKeyType.Rsa2048,
            "ecdsa" when wantsRsa => throw new PkiException("--rsa and --key-type ecdsa contradict each other"),
            _ => PkiKeyType.EcdsaP256,
        };
    }

    public static string Describe(PkiKeyType keyType) => keyType == PkiKeyType.Rsa2048 ? "RSA 2048" : "ECDSA P-256";

    /// <summary>Runs <paramref name="action"/>; a refusal or a file system error becomes one line on stderr and exit code 1.</summary>
    public static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is PkiException or IOException or UnauthorizedAccessException or CryptographicException)
        {
            Console.Error.WriteLine($"fleetvpn pki: {e.Message}");
            return ExitError;
        }
    }
}
