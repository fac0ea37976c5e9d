using FleetVpn.Server.Config;

namespace FleetVpn.Server.Tests.Config;

/// <summary>Where the shared OpenVPN 2.6 test keys are, and a minimal valid server.conf that uses them.</summary>
internal static class ConfigTestFiles
{
    /// <summary>The folder of FleetVpn.slnx above the test assembly (first: the keys directory is found from it).</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>shared/fixtures/openvpn-2.6/keys beside the repository (found by walking up to FleetVpn.slnx).</summary>
    public static string KeysDirectory { get; } = FindKeysDirectory();

    /// <summary>The four required directives, with paths relative to <see cref="KeysDirectory"/>.</summary>
    public const string Minimal = """
        ca ca.crt
        cert server.crt
        key server.key
        server 10.8.0.0 255.255.255.0

        """;

    /// <summary>Parses <paramref name="text"/> as "server.conf" with the keys directory as working directory.</summary>
    public static ServerOptions Parse(string text, params string[] overrides) =>
        ServerConfigParser.ParseText(text, "server.conf", overrides, KeysDirectory);

    /// <summary>The <see cref="ConfigException"/> that parsing <paramref name="text"/> must throw.</summary>
    public static ConfigException Refuse(string text, params string[] overrides) =>
        Assert.Throws<ConfigException>(() => Parse(text, overrides));

    /// <summary>Parsing <paramref name="text"/> is refused at server.conf:<paramref name="line"/>, naming the whole directive line and <paramref name="reason"/>.</summary>
    public static void AssertRefusedAt(string text, int line, string directive, string reason)
    {
        var error = Refuse(text);

        Assert.Equal("server.conf", error.File);
        Assert.Equal(line, error.Line);
        Assert.Equal(directive, error.Directive);
        Assert.Equal(reason, error.Reason);
    }

    private static string FindKeysDirectory()
    {
        var keys = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "fixtures", "openvpn-2.6", "keys"));
        if (!Directory.Exists(keys)) throw new DirectoryNotFoundException($"test keys not found at {keys}");
        return keys;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "FleetVpn.slnx"))) return dir.FullName;
        throw new DirectoryNotFoundException($"FleetVpn.slnx not found above {AppContext.BaseDirectory}");
    }
}
