using System.Text;

namespace FleetVpn.Server.Config;

/// <summary>
/// One directive as read from a config file line, an inline block (<c>&lt;ca&gt;...&lt;/ca&gt;</c>),
/// or a command-line option (<c>--port 1195</c>): its name, its arguments and where it came from.
/// </summary>
public sealed class ConfigDirective
{
    public ConfigDirective(string name, IReadOnlyList<string> arguments, string file, int line,
        bool fromCommandLine = false, string? inlineContent = null)
    {
        Name = name;
        Arguments = arguments;
        File = file;
        Line = line;
        FromCommandLine = fromCommandLine;
        InlineContent = inlineContent;
    }

    /// <summary>The directive name without a leading <c>--</c> (OpenVPN names are case-sensitive).</summary>
    public string Name { get; }

    /// <summary>The arguments after the name (empty for an inline block).</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>The config file as named by the caller, or <see cref="ConfigException.CommandLineFile"/>.</summary>
    public string File { get; }

    /// <summary>1-based line (the opening tag's line for an inline block); 0 on the command line.</summary>
    public int Line { get; }

    /// <summary>True for an override given on the command line.</summary>
    public bool FromCommandLine { get; }

    /// <summary>The text between <c>&lt;name&gt;</c> and <c>&lt;/name&gt;</c>, lines kept with their line ends; null when not inline.</summary>
    public string? InlineContent { get; }

    public bool IsInline => InlineContent is not null;

    /// <summary>Where the directive is, for messages: <c>server.conf:12</c> or <c>command-line</c>.</summary>
    public string Location => Line > 0 ? $"{File}:{Line}" : File;

    /// <summary>An error about this directive, located at its file and line.</summary>
    public ConfigException Error(string reason, Exception? innerException = null) =>
        new(File, Line, ToString(), reason, innerException);

    /// <summary>The directive as the user wrote it, for messages: <c>server 10.8.0.0 255.255.255.0</c>, <c>&lt;ca&gt;</c>, <c>--port 1195</c>.</summary>
    public override string ToString()
    {
        if (IsInline) return $"<{Name}>";
        var text = new StringBuilder();
        if (FromCommandLine) text.Append("--");
        text.Append(Name);
        foreach (var argument in Arguments)
        {
            text.Append(' ');
            AppendQuotedIfNeeded(text, argument);
        }
        return text.ToString();
    }

    private static void AppendQuotedIfNeeded(StringBuilder text, string argument)
    {
        var needsQuotes = argument.Length == 0 || argument.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\' or '#' or ';');
        if (!needsQuotes)
        {
            text.Append(argument);
            return;
        }
        text.Append('"');
        foreach (var c in argument)
        {
            if (c is '"' or '\\') text.Append('\\');
            text.Append(c);
        }
        text.Append('"');
    }
}
