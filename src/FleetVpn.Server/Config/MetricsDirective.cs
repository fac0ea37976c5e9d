using System.Net;
using System.Net.Sockets;

namespace FleetVpn.Server.Config;

/// <summary>
/// <c>metrics ADDRESS PORT</c> (FleetVPN; OpenVPN has none): where Prometheus scrapes <c>/metrics</c>.
/// An IP literal only, as for <c>local</c>: a name would be resolved once and silently go stale.
/// </summary>
internal static class MetricsDirective
{
    public static IPEndPoint Parse(ConfigDirective directive)
    {
        var arguments = DirectiveArguments.Expect(directive, 2, 2);
        if (!IPAddress.TryParse(arguments[0], out var address)
            || address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
            || (address.AddressFamily == AddressFamily.InterNetwork && arguments[0].Count(c => c == '.') != 3))
            throw directive.Error($"'{arguments[0]}' is not an IP address (e.g. metrics 127.0.0.1 9469)");
        int port = ConfigValues.Integer(directive, arguments[1], "metrics port", 1, 65535);
        return new IPEndPoint(address, port);
    }
}
