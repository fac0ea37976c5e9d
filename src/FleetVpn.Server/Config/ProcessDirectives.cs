namespace FleetVpn.Server.Config;

/// <summary>
/// `daemon [NAME]`, `syslog [NAME]`, `log FILE`, `log-append FILE` and `writepid FILE`, as OpenVPN 2.6 reads them
/// (options.c). A file's directory must exist, so a typo is reported with its file and line before anything starts.
/// </summary>
internal static class ProcessDirectives
{
    public static void Apply(ConfigDirective directive, ProcessSettings settings, string directory)
    {
        switch (directive.Name)
        {
            case "daemon":
                settings.Daemon = true;
                if (DirectiveArguments.Expect(directive, 0, 1) is [var daemonName]) settings.SyslogTag = Tag(directive, daemonName);
                break;
            case "syslog":
                settings.Syslog = true;
                if (DirectiveArguments.Expect(directive, 0, 1) is [var syslogName]) settings.SyslogTag = Tag(directive, syslogName);
                break;
            case "log" or "log-append":
                settings.LogFile = WritableFile(directive, directory, "log file");
                settings.LogAppend = directive.Name == "log-append";
                break;
            case "writepid":
                settings.PidFile = WritableFile(directive, directory, "pid file");
                break;
            default:
                throw new ArgumentException($"not a process directive: {directive.Name}", nameof(directive));
        }
    }

    /// <summary>The syslog tag: printable ASCII without the characters that end a tag (RFC 3164 4.1.3).</summary>
    private static string Tag(ConfigDirective directive, string name)
    {
        if (name.Length > 32 || name.Any(c => c is <= ' ' or > '~' or '[' or ']' or ':'))
            throw directive.Error($"'{name}' is not a syslog tag (at most 32 printable characters, no '[', ']' or ':')");
        return name;
    }

    private static string WritableFile(ConfigDirective directive, string directory, string what)
    {
        var path = ConfigFiles.Resolve(directory, DirectiveArguments.Single(directive));
        if (System.IO.Directory.Exists(path)) throw directive.Error($"cannot use {path} as the {what}: Is a directory");
        var parent = Path.GetDirectoryName(path);
        if (parent is null || !System.IO.Directory.Exists(parent))
            throw directive.Error($"cannot use {path} as the {what}: its directory {parent} does not exist");
        return path;
    }
}
