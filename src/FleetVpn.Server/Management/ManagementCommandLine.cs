using System.Text;

namespace FleetVpn.Server.Management;

/// <summary>
/// Splits a management command line into words as OpenVPN's <c>parse_line()</c> does: blanks separate
/// words, "double quotes" group a word (a backslash escapes the next character inside them), 'single quotes'
/// group one literally. Null for a line whose quote is never closed.
/// </summary>
public static class ManagementCommandLine
{
    public static IReadOnlyList<string>? Split(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        bool inWord = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (c is '"' or '\'')
            {
                int close = ReadQuoted(line, i, word);
                if (close < 0) return null;
                i = close;
                inWord = true;
            }
            else if (c is ' ' or '\t' or '\r' or '\n')
            {
                if (inWord) words.Add(word.ToString());
                word.Clear();
                inWord = false;
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }
        if (inWord) words.Add(word.ToString());
        return words;
    }

    /// <summary>Appends the quoted text starting at <paramref name="open"/>; the index of the closing quote, or -1.</summary>
    private static int ReadQuoted(string line, int open, StringBuilder word)
    {
        char quote = line[open];
        for (int i = open + 1; i < line.Length; i++)
        {
            char c = line[i];
            if (c == quote) return i;
            if (quote == '"' && c == '\\' && i + 1 < line.Length) c = line[++i];
            word.Append(c);
        }
        return -1;
    }
}
