namespace FleetVpn.LoadBalancer;

/// <summary>Probes a node's <c>/health</c>: healthy when it answers 200 within the timeout.</summary>
public sealed class HealthProbe(TimeSpan timeout) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero })
    {
        Timeout = timeout,
    };

    public async Task<(bool Healthy, string Result)> ProbeAsync(LbNode node, CancellationToken cancellation)
    {
        try
        {
            using var response = await _http.GetAsync(node.HealthUrl, cancellation).ConfigureAwait(false);
            string body = (await response.Content.ReadAsStringAsync(cancellation).ConfigureAwait(false)).Trim();
            return (response.IsSuccessStatusCode, $"{(int)response.StatusCode} {body}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellation.IsCancellationRequested)
        {
            return (false, e is TaskCanceledException ? $"no answer within {timeout.TotalSeconds:0.#} s" : e.Message);
        }
    }

    public void Dispose() => _http.Dispose();
}
