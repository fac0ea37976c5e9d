using System.Text;

namespace FleetVpn.Server.Config;

/// <summary>
/// Splits one config line into tokens the way OpenVPN 2.6 does (<c>parse_line</c> in
/// <c>src/openvpn/options_parse.c</c>): whitespace separates tokens; <c>#</c> or <c>;</c> where a
/// token would start ends the line; <c>"..."</c> groups a token and honours the escapes
/// <c>\\</c>, <c>\"</c> and backslash-space; <c>'...'</c> groups a token literally. Outside single
/// quotes, a backslash before anything other than a backslash, a double quote or whitespace is
/// an error. A closing quote ends its token, so <c>"a"b</c> is two tokens, as in OpenVPN.
/// </summary>
public static class ConfigLineTokenizer
{
    private enum State
    {
        BetweenTokens,
        Unquoted,
        DoubleQuoted,
        SingleQuoted,
    }

    /// <summary>The tokens of <paramref name="line"/> (empty for a blank or comment line).</summary>
    /// <exception cref="ConfigException">Bad backslash escape or an unclosed quote.</exception>
    public static List<string> Tokenize(string line, string file, int lineNumber)
    {
        var tokens = new List<string>();
        var token = new StringBuilder();
        var state = State.BetweenTokens;
        var escaped = false;

        // One extra step with '\0' stands for the end of the line; it ends an unquoted token.
        for (var i = 0; i <= line.Length; i++)
        {
            var c = i < line.Length ? line[i] : '\0';

            if (!escaped && c == '\\' && state != State.SingleQuoted)
            {
                escaped = true;
                continue;
            }

            var keep = false;
            var tokenDone = false;
            switch (state)
            {
                case State.BetweenTokens:
                    if (IsSpace(c)) break;
                    if (c is '#' or ';') return tokens;
                    if (!escaped && c == '"') state = State.DoubleQuoted;
                    else if (!escaped && c == '\'') state = State.SingleQuoted;
                    else
                    {
                        keep = true;
                        state = State.Unquoted;
                    }
                    break;
                case State.Unquoted:
                    if (!escaped && IsSpace(c)) tokenDone = true;
                    else keep = true;
                    break;
                case State.DoubleQuoted:
                    if (!escaped && c == '"') tokenDone = true;
                    else keep = true;
                    break;
                case State.SingleQuoted:
                    if (c == '\'') tokenDone = true;
                    else keep = true;
                    break;
            }

            if (tokenDone)
            {
                tokens.Add(token.ToString());
                token.Clear();
                state = State.BetweenTokens;
            }

            // '\0' is the end of the line, never a character of a token.
            if (keep && c == '\0') keep = false;

            if (escaped && keep && !(c == '\\' || c == '"' || IsSpace(c)))
            {
                throw new ConfigException(file, lineNumber, null,
                    "bad backslash ('\\') usage: a backslash may only escape '\\', '\"' or a space; " +
                    "write a literal backslash as '\\\\' or use single quotes");
            }
            escaped = false;

            if (keep) token.Append(c);
        }

        return Finish(tokens, state, line, file, lineNumber);
    }

    private static List<string> Finish(List<string> tokens, State state, string line, string file, int lineNumber) => state switch
    {
        State.BetweenTokens => tokens,
        State.DoubleQuoted => throw new ConfigException(file, lineNumber, null, "no closing quotation (\")"),
        State.SingleQuoted => throw new ConfigException(file, lineNumber, null, "no closing single quotation (')"),
        _ => throw new ConfigException(file, lineNumber, null, $"line ends inside a backslash escape: {line.Trim()}"),
    };

    /// <summary>C's <c>isspace</c> in the "C" locale, plus the end of the line.</summary>
    private static bool IsSpace(char c) => c is '\0' or ' ' or '\t' or '\n' or '\v' or '\f' or '\r';
}
