using System.CommandLine;
using FleetVpn.Pki;

namespace FleetVpn.Cli.Commands;

/// <summary>
/// <c>fleetvpn pki client-config DIR --cn CN --remote HOST:PORT [--tls-crypt FILE]</c>: prints the client's
/// .ovpn profile, with its CA, certificate, key (and tls-crypt key) inline.
/// </summary>
internal static class PkiClientConfigCommand
{
    public static Command Create()
    {
        var directory = PkiOptions.Directory();
        var commonName = new Option<string>("--cn")
        {
            Description = "The client whose profile to print (a client certificate of DIR, e.g. device-000001).",
            HelpName = "CN",
            Required = true,
        };
        var remote = new Option<string>("--remote")
        {
            Description = "The server the client connects to: HOST:PORT, e.g. vpn.example.com:1194 or [2001:db8::1]:1194.",
            HelpName = "HOST:PORT",
            Required = true,
        };
        var tlsCrypt = new Option<string?>("--tls-crypt")
        {
            Description = "An OpenVPN static key (fleetvpn pki tls-crypt-key FILE) to put inline as <tls-crypt>.",
            HelpName = "FILE",
        };

        var command = new Command("client-config",
            "Print to stdout an OpenVPN client profile (.ovpn) for CN: client, dev tun, proto udp, remote HOST PORT, nobind, " +
            "remote-cert-tls server, verb 3, and <ca>, <cert>, <key> (and <tls-crypt>) inline.")
        {
            directory, commonName, remote, tlsCrypt,
        };
        command.SetAction(parse => PkiOptions.Run(() =>
        {
            var endpoint = RemoteEndpoint.Parse(parse.GetRequiredValue(remote));
            using var ca = CertificateAuthority.Open(parse.GetRequiredValue(directory));
            var profile = ClientProfile.Render(ca, parse.GetRequiredValue(commonName), endpoint, parse.GetValue(tlsCrypt));
            Console.Out.Write(profile);
            Console.Out.Flush();
            return PkiOptions.ExitOk;
        }));
        return command;
    }
}
