using System.Globalization;
using System.Text;

namespace FleetVpn.Server.Metrics;

/// <summary>The pieces of Prometheus' text exposition format 0.0.4: label sets, escaped values, numbers.</summary>
public static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>The labels of a measurement as <c>a="1",b="x"</c>, sorted by name so one set always reads the same.</summary>
    public static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0) return "";
        var sorted = tags.ToArray();
        Array.Sort(sorted, (a, b) => string.CompareOrdinal(a.Key, b.Key));
        var text = new StringBuilder();
        foreach (var (key, value) in sorted)
        {
            if (text.Length > 0) text.Append(',');
            text.Append(key).Append("=\"");
            AppendEscaped(text, Convert.ToString(value, CultureInfo.InvariantCulture) ?? "");
            text.Append('"');
        }
        return text.ToString();
    }

    /// <summary>A label set with one more label appended (the histogram's <c>le</c>).</summary>
    public static string WithLabel(string labels, string name, string value) =>
        labels.Length == 0 ? $"{name}=\"{value}\"" : $"{labels},{name}=\"{value}\"";

    /// <summary>A sample value: integers without a decimal point, others round-trippable; +Inf, -Inf, NaN by name.</summary>
    public static string Number(double value)
    {
        if (double.IsPositiveInfinity(value)) return "+Inf";
        if (double.IsNegativeInfinity(value)) return "-Inf";
        if (double.IsNaN(value)) return "NaN";
        if (value == Math.Floor(value) && Math.Abs(value) < 1e15) return ((long)value).ToString(CultureInfo.InvariantCulture);
        return value.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary>HELP text escapes backslash and newline; label values also the double quote.</summary>
    public static string EscapeHelp(string help) => help.Replace("\\", @"\\", StringComparison.Ordinal).Replace("\n", @"\n", StringComparison.Ordinal);

    private static void AppendEscaped(StringBuilder text, string value)
    {
        foreach (char c in value)
        {
            switch (c)
            {
                case '\\': text.Append(@"\\"); break;
                case '"': text.Append("\\\""); break;
                case '\n': text.Append(@"\n"); break;
                default: text.Append(c); break;
            }
        }
    }
}
