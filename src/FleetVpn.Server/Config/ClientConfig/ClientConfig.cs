namespace FleetVpn.Server.Config;

// The types in Config/ClientConfig/ live in FleetVpn.Server.Config rather than a namespace named
// after the folder: a namespace FleetVpn.Server.Config.ClientConfig would hide the ClientConfig
// type from all code in FleetVpn.Server.Config (the name would resolve to the namespace).

/// <summary>
/// What one client-config-dir file (<c>DIR/&lt;common name&gt;</c> or <c>DIR/DEFAULT</c>) says about a client,
/// read by <see cref="ClientConfigFile"/>. FleetVPN supports the directives below and nothing else;
/// an empty or comment-only file gives <see cref="Empty"/>.
/// </summary>
public sealed record ClientConfig
{
    /// <summary>A file with no directives.</summary>
    public static ClientConfig Empty { get; } = new();

    /// <summary><c>ifconfig-push ADDRESS NETMASK</c>: a fixed tunnel address instead of one from the pool (the last one given wins); null = from the pool.</summary>
    public ClientIfconfigPush? IfconfigPush { get; init; }

    /// <summary>
    /// <c>push "OPTION"</c> lines, in order, sent to this client after the server's own. A
    /// <c>push-reset</c> drops the ones before it, as OpenVPN's <c>push_reset()</c> clears the whole list.
    /// </summary>
    public IReadOnlyList<string> Push { get; init; } = [];

    /// <summary><c>push-reset</c>: the server.conf's <c>push</c> options are not sent to this client.</summary>
    public bool PushReset { get; init; }

    /// <summary><c>disable</c>: refuse this client.</summary>
    public bool Disable { get; init; }

    /// <summary><c>iroute NETWORK [NETMASK]</c>: networks behind this client, in file order (no netmask = a host route, /32).</summary>
    public IReadOnlyList<ClientIRoute> IRoutes { get; init; } = [];

    /// <summary>
    /// This file's directives followed by <paramref name="later"/>'s, as OpenVPN applies a client-connect script's dynamic
    /// config file on top of the ccd file: a later <c>ifconfig-push</c> wins, <c>push</c> and <c>iroute</c> lines add up,
    /// a later <c>push-reset</c> drops the pushes before it, and <c>disable</c> in either refuses.
    /// </summary>
    public ClientConfig Then(ClientConfig later) => new()
    {
        IfconfigPush = later.IfconfigPush ?? IfconfigPush,
        Push = later.PushReset ? later.Push : [.. Push, .. later.Push],
        PushReset = PushReset || later.PushReset,
        Disable = Disable || later.Disable,
        IRoutes = [.. IRoutes, .. later.IRoutes],
    };
}
