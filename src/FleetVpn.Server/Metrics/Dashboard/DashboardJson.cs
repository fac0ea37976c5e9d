using System.Text;
using System.Text.Json;

namespace FleetVpn.Server.Metrics.Dashboard;

/// <summary>The dashboard's data as JSON: the history for the charts, and the client table with the top talkers.</summary>
public static class DashboardJson
{
    /// <summary>Rows past this are counted, not sent: the table is searched, not scrolled through a million rows.</summary>
    public const int MaxRows = 200;
    public const int TopTalkers = 10;

    public const string ContentType = "application/json; charset=utf-8";

    /// <summary><c>{"intervalSeconds":10,"samples":[{"t":…,"connected":…,…}]}</c>, the kept samples and then <paramref name="now"/>.</summary>
    public static string History(MetricsHistory history, ServerSnapshot now)
    {
        return Write(json =>
        {
            json.WriteStartObject();
            json.WriteNumber("intervalSeconds", history.Interval.TotalSeconds);
            json.WriteStartArray("samples");
            foreach (var sample in history.Samples().Append(now))
            {
                json.WriteStartObject();
                json.WriteNumber("t", sample.UnixSeconds);
                json.WriteNumber("connected", sample.Connected);
                json.WriteNumber("sessions", sample.Sessions);
                json.WriteNumber("handshakes", sample.HandshakesCompleted);
                json.WriteNumber("failed", sample.HandshakesFailed);
                json.WriteNumber("disconnects", sample.Disconnects);
                json.WriteNumber("drops", sample.Drops);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    /// <summary>
    /// <c>{"total":…,"matched":…,"clients":[…],"top":[…]}</c>: the clients matching <paramref name="search"/> (all when
    /// empty) by name, at most <see cref="MaxRows"/>, and the <see cref="TopTalkers"/> with the most bytes of all.
    /// </summary>
    public static string Clients(IReadOnlyCollection<ClientRow> rows, string search)
    {
        var matched = search.Length == 0 ? rows.ToList() : rows.Where(r => r.Matches(search)).ToList();
        var shown = matched.OrderBy(r => r.CommonName, StringComparer.Ordinal).ThenBy(r => r.RealAddress, StringComparer.Ordinal).Take(MaxRows);
        var top = rows.OrderByDescending(r => r.TotalBytes).Take(TopTalkers);
        return Write(json =>
        {
            json.WriteStartObject();
            json.WriteNumber("total", rows.Count);
            json.WriteNumber("matched", matched.Count);
            WriteRows(json, "clients", shown);
            WriteRows(json, "top", top);
            json.WriteEndObject();
        });
    }

    private static void WriteRows(Utf8JsonWriter json, string name, IEnumerable<ClientRow> rows)
    {
        json.WriteStartArray(name);
        foreach (var row in rows)
        {
            json.WriteStartObject();
            json.WriteString("cn", row.CommonName);
            json.WriteString("real", row.RealAddress);
            json.WriteString("virtual", row.VirtualAddress);
            json.WriteString("state", row.State);
            json.WriteNumber("bytesIn", row.BytesReceived);
            json.WriteNumber("bytesOut", row.BytesSent);
            json.WriteString("since", row.ConnectedSince.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteNumber("worker", row.Worker);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static string Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer)) write(json);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
