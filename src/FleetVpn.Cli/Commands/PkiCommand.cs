using System.CommandLine;

namespace FleetVpn.Cli.Commands;

/// <summary>
/// <c>fleetvpn pki</c>: a certificate authority for a fleet, in easy-rsa's directory layout:
/// <c>init</c>, <c>server</c>, <c>clients</c>, <c>client-config</c>, <c>tls-crypt-key</c>, <c>tls-crypt-v2-server</c>, <c>tls-crypt-v2-client</c>, <c>revoke</c>, <c>crl</c>.
/// Exit codes: 0 done, 1 refused (bad arguments, a CA or file that exists, a directory without a CA).
/// </summary>
internal static class PkiCommand
{
    public static Command Create() => new("pki",
        "Make the certificates and keys of a fleet: a CA, server certificates, numbered client certificates " +
        "(ECDSA P-256 by default, RSA 2048 with --rsa), .ovpn client profiles, tls-crypt and tls-crypt-v2 keys. " +
        "Files go in easy-rsa's layout (DIR/ca.crt, DIR/private/ca.key, DIR/issued/CN.crt, DIR/private/CN.key); " +
        "nothing that exists is ever overwritten (but the CRL, which 'crl' replaces). Exit codes: 0 done, 1 refused or failed.")
    {
        PkiInitCommand.Create(),
        PkiServerCommand.Create(),
        PkiClientsCommand.Create(),
        PkiClientConfigCommand.Create(),
        PkiTlsCryptKeyCommand.Create(),
        PkiTlsCryptV2Command.CreateServer(),
        PkiTlsCryptV2Command.CreateClient(),
        PkiRevokeCommand.Create(),
        PkiCrlCommand.Create(),
    };
}
