using System.CommandLine;
using FleetVpn.Pki;
using FleetVpn.Protocol.Wrapping;

namespace FleetVpn.Cli.Commands;

/// <summary>
/// <c>fleetvpn pki tls-crypt-v2-server FILE</c> and <c>fleetvpn pki tls-crypt-v2-client SERVER_KEY FILE [--metadata BASE64]</c>:
/// tls-crypt-v2 keys in the format of <c>openvpn --genkey tls-crypt-v2-server</c> / <c>tls-crypt-v2-client</c>.
/// </summary>
internal static class PkiTlsCryptV2Command
{
    public static Command CreateServer()
    {
        var file = new Argument<string>("FILE") { Description = "Where to write the server key (mode 0600); must not exist." };
        var command = new Command("tls-crypt-v2-server",
            "Write a new tls-crypt-v2 server key ('-----BEGIN OpenVPN tls-crypt-v2 server key-----', 128 random bytes), as " +
            "'openvpn --genkey tls-crypt-v2-server' does; the server's 'tls-crypt-v2 FILE' reads it. Refuses an existing FILE.")
        {
            file,
        };
        command.SetAction(parse => PkiOptions.Run(() =>
        {
            var path = parse.GetRequiredValue(file);
            StaticKeyFile.WriteNewKeyFile(path, TlsCryptV2ServerKey.GeneratePem());
            Console.WriteLine($"tls-crypt-v2 server key: {Path.GetFullPath(path)}");
            return PkiOptions.ExitOk;
        }));
        return command;
    }

    public static Command CreateClient()
    {
        var serverKey = new Argument<string>("SERVER_KEY") { Description = "The tls-crypt-v2 server key that wraps the client key." };
        var file = new Argument<string>("FILE") { Description = "Where to write the client key (mode 0600); must not exist." };
        var metadata = new Option<string?>("--metadata")
        {
            Description = "Base64 user data to wrap with the key (metadata type USER, as openvpn's optional BASE64 argument); " +
                          "without it the metadata is the creation time (type TIMESTAMP), which 'tls-crypt-v2-max-age' checks.",
            HelpName = "BASE64",
        };
        var command = new Command("tls-crypt-v2-client",
            "Write a new tls-crypt-v2 client key ('-----BEGIN OpenVPN tls-crypt-v2 client key-----': a random 256-byte key and " +
            "that key wrapped with SERVER_KEY), as 'openvpn --tls-crypt-v2 SERVER_KEY --genkey tls-crypt-v2-client FILE' does; " +
            "the device's 'tls-crypt-v2 FILE' reads it. One key per device. Refuses an existing FILE.")
        {
            serverKey, file, metadata,
        };
        command.SetAction(parse => PkiOptions.Run(() =>
        {
            var serverKeyPath = parse.GetRequiredValue(serverKey);
            var path = parse.GetRequiredValue(file);
            byte[] data = parse.GetValue(metadata) is { } base64 ? DecodeMetadata(base64) : TlsCryptV2Metadata.Timestamp(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            using var key = ReadServerKey(serverKeyPath);
            StaticKeyFile.WriteNewKeyFile(path, TlsCryptV2ClientKey.Create(key, data).ToPem());
            Console.WriteLine($"tls-crypt-v2 client key: {Path.GetFullPath(path)}");
            return PkiOptions.ExitOk;
        }));
        return command;
    }

    private static byte[] DecodeMetadata(string base64)
    {
        byte[] user;
        try
        {
            user = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            throw new PkiException("--metadata: not base64");
        }
        if (user.Length > TlsCryptV2ServerKey.MaxMetadataSize - 1)
            throw new PkiException($"--metadata: {user.Length} bytes, at most {TlsCryptV2ServerKey.MaxMetadataSize - 1}");
        return TlsCryptV2Metadata.User(user);
    }

    private static TlsCryptV2ServerKey ReadServerKey(string path)
    {
        try
        {
            return TlsCryptV2ServerKey.Parse(File.ReadAllText(path));
        }
        catch (FormatException e)
        {
            throw new PkiException($"{path}: not a tls-crypt-v2 server key: {e.Message}");
        }
    }
}
