using System.Diagnostics.Metrics;
using System.Text;

namespace FleetVpn.Server.Metrics;

/// <summary>
/// Prometheus names for .NET instruments, by the conventions OpenTelemetry's Prometheus exporter follows:
/// dots become underscores, the unit is a suffix (s: _seconds, By: _bytes; annotations like {packet} are dropped),
/// and counters end in _total.
/// </summary>
public static class MetricNames
{
    public static string For(Instrument instrument)
    {
        var name = new StringBuilder(Sanitize(instrument.Name));
        string? unitSuffix = instrument.Unit switch
        {
            "s" => "_seconds",
            "By" => "_bytes",
            _ => null,
        };
        if (unitSuffix is not null && !name.ToString().EndsWith(unitSuffix, StringComparison.Ordinal)) name.Append(unitSuffix);
        if (IsCounter(instrument)) name.Append("_total");
        return name.ToString();
    }

    /// <summary>Monotonic sums: exposed as Prometheus counters.</summary>
    public static bool IsCounter(Instrument instrument)
    {
        var type = instrument.GetType();
        if (!type.IsGenericType) return false;
        var definition = type.GetGenericTypeDefinition();
        return definition == typeof(ObservableCounter<>) || definition == typeof(Counter<>);
    }

    /// <summary>"CertificateRejected" as "certificate_rejected", for label values taken from enum names.</summary>
    public static string SnakeCase(string pascal)
    {
        var text = new StringBuilder(pascal.Length + 4);
        for (int i = 0; i < pascal.Length; i++)
        {
            if (char.IsUpper(pascal[i]) && i > 0) text.Append('_');
            text.Append(char.ToLowerInvariant(pascal[i]));
        }
        return text.ToString();
    }

    /// <summary>Only [a-zA-Z0-9_:] may appear in a metric name.</summary>
    private static string Sanitize(string name)
    {
        var text = new StringBuilder(name.Length);
        foreach (char c in name) text.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or ':' ? c : '_');
        return text.ToString();
    }
}
