namespace FleetVpn.Server.Config;

/// <summary>
/// Reads an OpenVPN 2.6 server.conf, then OpenVPN-style command-line overrides, into a validated
/// <see cref="ServerOptions"/>. Everything is checked here, key material included, so the first
/// problem surfaces as a <see cref="ConfigException"/> before anything binds.
/// </summary>
public static class ServerConfigParser
{
    /// <summary>
    /// Parses the config file at <paramref name="path"/>, then <paramref name="overrideArgs"/>
    /// (<c>--port 1195 --verb 4</c>) as if they were extra lines after it.
    /// </summary>
    /// <param name="path">The config file; a relative path resolves against <paramref name="workingDirectory"/>, as after OpenVPN's <c>--cd DIR --config FILE</c>.</param>
    /// <param name="overrideArgs">OpenVPN-style options applied after the file; errors name the file "command-line".</param>
    /// <param name="workingDirectory">The <c>--cd</c> directory (relative to the process directory); null means the process directory.</param>
    public static ServerOptions ParseFile(string path, IReadOnlyList<string>? overrideArgs = null, string? workingDirectory = null)
    {
        var directory = ResolveWorkingDirectory(workingDirectory);
        var fullPath = ConfigFiles.Resolve(directory, path);
        if (!ConfigFiles.TryReadText(fullPath, out var text, out var reason))
            throw new ConfigException(path, 0, null, $"cannot read the configuration file {fullPath}: {reason}");
        return Parse(text, path, overrideArgs, directory);
    }

    /// <summary>Parses config text as if read from a file named <paramref name="fileName"/> (which is only used in messages).</summary>
    public static ServerOptions ParseText(string text, string fileName, IReadOnlyList<string>? overrideArgs = null, string? workingDirectory = null) =>
        Parse(text, fileName, overrideArgs, ResolveWorkingDirectory(workingDirectory));

    private static ServerOptions Parse(string text, string fileName, IReadOnlyList<string>? overrideArgs, string directory)
    {
        var builder = new ServerOptionsBuilder(fileName, directory);
        foreach (var directive in ConfigReader.ReadText(text, fileName)) builder.Apply(directive);
        foreach (var directive in ConfigReader.ReadCommandLine(overrideArgs ?? [])) builder.Apply(directive);
        return builder.Build();
    }

    private static string ResolveWorkingDirectory(string? workingDirectory)
    {
        var current = Environment.CurrentDirectory;
        if (workingDirectory is null) return current;
        var directory = ConfigFiles.Resolve(current, workingDirectory);
        if (!Directory.Exists(directory))
            throw new ConfigException(ConfigException.CommandLineFile, 0, $"--cd {workingDirectory}", $"cd to '{directory}' failed: No such file or directory");
        return directory;
    }
}
