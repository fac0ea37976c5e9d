using FleetVpn.Server.Config;
using FleetVpn.Server.Logging;

namespace FleetVpn.Server;

/// <summary>The engine's entry point: binds, creates the tun, serves until cancelled.</summary>
public sealed class VpnServer
{
    private readonly ServerOptions _options;
    private readonly ServerLog _log;

    public VpnServer(ServerOptions options, ServerLog log)
    {
        _options = options;
        _log = log;
    }

    public Task RunAsync(CancellationToken cancellation)
    {
        _log.Info($"FleetVPN would serve on port {_options.Port} (engine not written yet)");
        return Task.Delay(Timeout.Infinite, cancellation);
    }
}
