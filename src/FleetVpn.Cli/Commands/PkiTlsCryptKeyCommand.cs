using System.CommandLine;
using FleetVpn.Pki;

namespace FleetVpn.Cli.Commands;

/// <summary><c>fleetvpn pki tls-crypt-key FILE</c>: a new OpenVPN static key, as <c>openvpn --genkey secret FILE</c> writes it.</summary>
internal static class PkiTlsCryptKeyCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "Where to write the key (mode 0600); must not exist." };
        var command = new Command("tls-crypt-key",
            "Write a new OpenVPN static key (256 random bytes, '-----BEGIN OpenVPN Static key V1-----', 16 lines of hex), " +
            "the format of 'openvpn --genkey secret', for tls-crypt (or tls-auth). Refuses an existing FILE.")
        {
            file,
        };
        command.SetAction(parse => PkiOptions.Run(() =>
        {
            var path = parse.GetRequiredValue(file);
            StaticKeyFile.WriteNew(path);
            Console.WriteLine($"tls-crypt key: {Path.GetFullPath(path)}");
            return PkiOptions.ExitOk;
        }));
        return command;
    }
}
