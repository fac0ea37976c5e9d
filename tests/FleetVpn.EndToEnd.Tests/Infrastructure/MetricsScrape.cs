using System.Globalization;
using System.Net;
using System.Text;

namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>
/// One GET /metrics from inside a namespace (the socket is made there, see <see cref="NamespaceSockets"/>), parsed
/// into samples by their name and labels as written (<c>fleetvpn_drops_total{reason="malformed"}</c>).
/// </summary>
public sealed class MetricsScrape
{
    private MetricsScrape(string text, Dictionary<string, double> samples)
    {
        Text = text;
        Samples = samples;
    }

    public string Text { get; }
    public IReadOnlyDictionary<string, double> Samples { get; }

    /// <summary>A sample's value; fails the test, showing the scrape, when it is missing.</summary>
    public double this[string sample] =>
        Samples.TryGetValue(sample, out var value) ? value : throw new Xunit.Sdk.XunitException($"no sample {sample} in the scrape:\n{Text}");

    /// <summary>The sum over every label set of <paramref name="name"/>.</summary>
    public double Sum(string name) =>
        Samples.Where(s => s.Key == name || s.Key.StartsWith(name + "{", StringComparison.Ordinal)).Sum(s => s.Value);

    public static async Task<MetricsScrape> GetAsync(string ns, IPEndPoint endPoint, string path = "/metrics")
    {
        using var socket = NamespaceSockets.Tcp(ns);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(endPoint, timeout.Token);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: {endPoint}\r\nConnection: close\r\n\r\n"), timeout.Token);
        var response = new MemoryStream();
        var buffer = new byte[16384];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, timeout.Token)) > 0) response.Write(buffer, 0, read);
        var text = Encoding.UTF8.GetString(response.ToArray());
        int bodyStart = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (!text.StartsWith("HTTP/1.1 200 ", StringComparison.Ordinal) || bodyStart < 0)
            throw new Xunit.Sdk.XunitException($"GET {path} from {endPoint} in {ns} did not answer 200:\n{text}");
        var body = text[(bodyStart + 4)..];
        return new MetricsScrape(body, Parse(body));
    }

    private static Dictionary<string, double> Parse(string body)
    {
        var samples = new Dictionary<string, double>();
        foreach (var line in body.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            int space = line.LastIndexOf(' ');
            string value = line[(space + 1)..];
            samples[line[..space]] = value == "+Inf" ? double.PositiveInfinity : double.Parse(value, CultureInfo.InvariantCulture);
        }
        return samples;
    }
}
