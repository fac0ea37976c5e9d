namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The rules by which kumina/openvpn_exporter (the widely used Prometheus exporter for OpenVPN, Go; its
/// <c>collectStatusFromReader</c> and <c>collectServerStatusFromReader</c> in exporters/openvpn_exporter.go) reads a
/// server status file, restated here so the tests hold FleetVPN's files to them:
/// the first bytes choose the format ("TITLE," version 2, "TITLE\t" version 3, anything else is refused for a server);
/// each line is split on the separator; "END" alone, "GLOBAL_STATS", "HEADER" with more than two fields, "TIME" with
/// exactly three (the third a number) and "TITLE" with exactly two are known; a CLIENT_LIST or ROUTING_TABLE row must
/// follow its HEADER and have exactly one field more than it has column names; its "Bytes Received" / "Bytes Sent"
/// (CLIENT_LIST) and "Last Ref (time_t)" (ROUTING_TABLE) must parse as numbers; any other first field is an error.
/// </summary>
public static class OpenVpnExporterRules
{
    /// <summary>What the exporter would export from a file.</summary>
    public sealed record Result(double UpdateTime, int ConnectedClients, IReadOnlyList<IReadOnlyDictionary<string, string>> Clients,
        IReadOnlyList<IReadOnlyDictionary<string, string>> Routes);

    /// <summary>Reads <paramref name="text"/> as the exporter does; throws <see cref="FormatException"/> where the exporter fails.</summary>
    public static Result Read(string text)
    {
        string separator = text.StartsWith("TITLE,", StringComparison.Ordinal) ? ","
            : text.StartsWith("TITLE\t", StringComparison.Ordinal) ? "\t"
            : throw new FormatException($"unexpected file contents: \"{text[..Math.Min(18, text.Length)]}\"");
        var headers = new Dictionary<string, string[]>();
        var clients = new List<IReadOnlyDictionary<string, string>>();
        var routes = new List<IReadOnlyDictionary<string, string>>();
        double updateTime = double.NaN;
        // bufio.ScanLines drops a trailing "\r" and the final newline.
        foreach (var rawLine in text.Split('\n').SkipLast(text.EndsWith('\n') ? 1 : 0))
        {
            var fields = rawLine.TrimEnd('\r').Split(separator);
            if (fields[0] == "END" && fields.Length == 1) continue;
            if (fields[0] == "GLOBAL_STATS") continue;
            if (fields[0] == "HEADER" && fields.Length > 2)
            {
                headers[fields[1]] = fields[2..];
                continue;
            }
            if (fields[0] == "TIME" && fields.Length == 3)
            {
                updateTime = Number(fields[2]);
                continue;
            }
            if (fields[0] == "TITLE" && fields.Length == 2) continue;
            if (fields[0] is not ("CLIENT_LIST" or "ROUTING_TABLE")) throw new FormatException($"unsupported key: \"{fields[0]}\"");
            if (!headers.TryGetValue(fields[0], out var columns)) throw new FormatException($"{fields[0]} should be preceded by HEADERS");
            if (fields.Length != columns.Length + 1) throw new FormatException($"HEADER for {fields[0]} describes a different number of columns");
            var row = columns.Select((c, i) => (c, v: fields[i + 1])).ToDictionary(p => p.c, p => p.v);
            var metrics = fields[0] == "CLIENT_LIST" ? new[] { "Bytes Received", "Bytes Sent" } : ["Last Ref (time_t)"];
            foreach (var metric in metrics)
                if (row.TryGetValue(metric, out var value)) Number(value);
            (fields[0] == "CLIENT_LIST" ? clients : routes).Add(row);
        }
        return new Result(updateTime, clients.Count, clients, routes);
    }

    /// <summary>Go's strconv.ParseFloat for the plain decimal numbers the files hold.</summary>
    private static double Number(string text) =>
        double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"strconv.ParseFloat: parsing \"{text}\": invalid syntax");
}
