namespace FleetVpn.Server.Config;

/// <summary>
/// A server.conf line (or command-line override) that FleetVPN refuses: where it is, which
/// directive, and why. <see cref="Exception.Message"/> reads like
/// <c>server.conf:12: 'comp-lzo yes': not supported</c>.
/// </summary>
public sealed class ConfigException : Exception
{
    /// <summary>The <see cref="File"/> of errors found in command-line overrides.</summary>
    public const string CommandLineFile = "command-line";

    public ConfigException(string file, int line, string? directive, string reason, Exception? innerException = null)
        : base(Format(file, line, directive, reason), innerException)
    {
        File = file;
        Line = line;
        Directive = directive;
        Reason = reason;
    }

    /// <summary>The config file as it was named, or <see cref="CommandLineFile"/>.</summary>
    public string File { get; }

    /// <summary>1-based line of the directive; 0 for command-line overrides and for a whole-file problem.</summary>
    public int Line { get; }

    /// <summary>The directive as written (e.g. <c>comp-lzo yes</c>, <c>&lt;ca&gt;</c>), or null when the error is not tied to one.</summary>
    public string? Directive { get; }

    /// <summary>Why the directive was refused, without the location.</summary>
    public string Reason { get; }

    /// <summary>The location and reason only: a config error is the user's to fix, a stack trace does not help them.</summary>
    public override string ToString() => Message;

    private static string Format(string file, int line, string? directive, string reason)
    {
        var location = line > 0 ? $"{file}:{line}" : file;
        return directive is null ? $"{location}: {reason}" : $"{location}: '{directive}': {reason}";
    }
}
