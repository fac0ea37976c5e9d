namespace FleetVpn.Server.Config;

/// <summary>
/// Turns config text and command-line overrides into <see cref="ConfigDirective"/>s, lazily, so
/// the caller meets errors in file order. Follows OpenVPN 2.6's <c>read_config_file</c> and
/// <c>parse_argv</c>: a UTF-8 byte order mark on the first line is ignored, a leading <c>--</c>
/// on the directive name is dropped, and a line holding only <c>&lt;name&gt;</c> opens an inline
/// block that runs to the first line starting (after leading whitespace) with <c>&lt;/name&gt;</c>.
/// </summary>
public static class ConfigReader
{
    /// <summary>The directives of a config file's text, in order.</summary>
    public static IEnumerable<ConfigDirective> ReadText(string text, string file)
    {
        var lines = text.Split('\n');
        for (var index = 0; index < lines.Length; index++)
        {
            var lineNumber = index + 1;
            var line = lines[index];
            if (index == 0 && line.StartsWith('\uFEFF')) line = line[1..];

            var tokens = ConfigLineTokenizer.Tokenize(line, file, lineNumber);
            if (tokens.Count == 0) continue;

            var name = StripDoubleDash(tokens[0]);
            if (tokens.Count == 1 && name.Length >= 2 && name[0] == '<' && name[^1] == '>')
            {
                var tag = name[1..^1];
                var closeTag = $"</{tag}>";
                var content = new System.Text.StringBuilder();
                var closed = false;
                while (++index < lines.Length)
                {
                    if (lines[index].TrimStart().StartsWith(closeTag, StringComparison.Ordinal))
                    {
                        closed = true;
                        break;
                    }
                    content.Append(lines[index]).Append('\n');
                }
                if (!closed)
                    throw new ConfigException(file, lineNumber, name, $"end tag {closeTag} missing");
                yield return new ConfigDirective(tag, [], file, lineNumber, inlineContent: content.ToString());
                continue;
            }

            yield return new ConfigDirective(name, tokens.GetRange(1, tokens.Count - 1), file, lineNumber);
        }
    }

    /// <summary>
    /// The directives of OpenVPN-style command-line options: each starts with <c>--</c> and takes
    /// the following arguments up to the next <c>--</c> token (<c>--port 1195 --verb 4</c>).
    /// </summary>
    public static IEnumerable<ConfigDirective> ReadCommandLine(IReadOnlyList<string> args)
    {
        var file = ConfigException.CommandLineFile;
        for (var i = 0; i < args.Count;)
        {
            var option = args[i];
            if (!option.StartsWith("--", StringComparison.Ordinal))
            {
                throw new ConfigException(file, 0, option,
                    "expected an OpenVPN option starting with '--' (like --port 1195)");
            }
            var arguments = new List<string>();
            for (i++; i < args.Count && !args[i].StartsWith("--", StringComparison.Ordinal); i++) arguments.Add(args[i]);
            yield return new ConfigDirective(option[2..], arguments, file, 0, fromCommandLine: true);
        }
    }

    private static bool IsOption(string token) => token.Length >= 3 && token.StartsWith("--", StringComparison.Ordinal);

    /// <summary>OpenVPN's <c>bypass_doubledash</c>: "--port" in a file means "port".</summary>
    private static string StripDoubleDash(string token) => IsOption(token) ? token[2..] : token;
}
