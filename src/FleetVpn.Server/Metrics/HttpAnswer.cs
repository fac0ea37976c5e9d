namespace FleetVpn.Server.Metrics;

/// <summary>What <see cref="MetricsHttpEndpoint"/> sends back: the status line's text, the content type and the body.</summary>
public sealed record HttpAnswer(string Status, string ContentType, string Body)
{
    public static HttpAnswer Ok(string contentType, string body) => new("200 OK", contentType, body);

    public static HttpAnswer Text(string status, string body) => new(status, "text/plain; charset=utf-8", body);
}
