using System.Net;

namespace FleetVpn.Server.Config;

/// <summary>
/// <c>status-version N</c> and <c>management IP PORT [PWFILE]</c> / <c>management PATH unix [PWFILE]</c>, as
/// OpenVPN 2.6 reads them (options.c): the password is the first line of PWFILE, read when the configuration
/// is (a missing or empty file is a configuration error, not a surprise at the first connection).
/// </summary>
internal static class ManagementDirectives
{
    public static int ParseStatusVersion(ConfigDirective directive) =>
        ConfigValues.Integer(directive, DirectiveArguments.Single(directive), "status-version", 1, 3);

    public static ManagementEndpoint ParseManagement(ConfigDirective directive, string directory)
    {
        var arguments = DirectiveArguments.Expect(directive, 2, 3);
        string? passwordFile = arguments.Count == 3 ? arguments[2] : null;
        if (arguments[1] == "unix")
        {
            var path = ConfigFiles.Resolve(directory, arguments[0]);
            return new ManagementEndpoint(null, 0, path, ReadPassword(directive, directory, passwordFile));
        }
        if (!IPAddress.TryParse(arguments[0], out var address) && arguments[0] != "localhost")
            throw directive.Error($"'{arguments[0]}' is not an IP address (or use 'management PATH unix' for a unix socket)");
        int port = ConfigValues.Integer(directive, arguments[1], "management port", 1, 65535);
        return new ManagementEndpoint(address ?? IPAddress.Loopback, port, null, ReadPassword(directive, directory, passwordFile));
    }

    private static string? ReadPassword(ConfigDirective directive, string directory, string? file)
    {
        if (file is null) return null;
        if (file == "stdin") throw directive.Error("a password from stdin is not supported (the server runs unattended): name a file holding it");
        var path = ConfigFiles.Resolve(directory, file);
        string? first;
        try
        {
            using var reader = new StreamReader(path);
            first = reader.ReadLine();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw directive.Error($"cannot read the password file {path}: {e.Message}");
        }
        if (string.IsNullOrEmpty(first)) throw directive.Error($"the password file {path} is empty (its first line is the password)");
        return first;
    }
}
