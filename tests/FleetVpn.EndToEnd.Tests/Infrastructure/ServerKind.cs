namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>Which server the end-to-end tests run against.</summary>
public enum ServerKind
{
    /// <summary>FleetVPN: <c>fleetvpn serve --config FILE</c>. The default.</summary>
    FleetVpn,

    /// <summary>The stock <c>openvpn</c> 2.6 server on the same server.conf: a stand-in that validates the harness itself.</summary>
    OpenVpn,
}
