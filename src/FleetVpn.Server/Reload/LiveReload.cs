using FleetVpn.Server.Config;

namespace FleetVpn.Server.Reload;

/// <summary>
/// What a SIGHUP may change while clients stay connected. Everything a new handshake reads takes effect for the next
/// handshake (certificate and key, ca, crl-verify, TLS policy, data-ciphers, push, client-config-dir, scripts, keepalive,
/// reneg-sec, verb, connect-freq, ...). What the running engine was built around cannot change without dropping every client: the
/// socket (proto, local, port, rcvbuf, sndbuf), the tun device and pool (dev, tun-mtu, server), the workers, the session
/// table (max-clients), the privileges (user, group), the control-channel keys connected clients use (tls-auth,
/// tls-crypt), hand-window (the cookie), and the listeners and files the run opened (management, metrics, status,
/// ifconfig-pool-persist). Those keep their running values, each change named in a warning, until a restart (SIGUSR1
/// restarts with the configuration last read).
/// </summary>
public static class LiveReload
{
    private static readonly FixedOption[] FixedOptions =
    [
        new("proto", o => o.AddressFamily.ToString(), (to, from) => to.AddressFamily = from.AddressFamily),
        new("local", o => o.Local?.ToString() ?? "(all addresses)", (to, from) => to.Local = from.Local),
        new("port", o => $"{o.Port}", (to, from) => to.Port = from.Port),
        new("rcvbuf", o => $"{o.ReceiveBufferBytes}", (to, from) => to.ReceiveBufferBytes = from.ReceiveBufferBytes),
        new("sndbuf", o => $"{o.SendBufferBytes}", (to, from) => to.SendBufferBytes = from.SendBufferBytes),
        new("dev", o => o.Device, (to, from) => to.Device = from.Device),
        new("tun-mtu", o => $"{o.TunMtu}", (to, from) => to.TunMtu = from.TunMtu),
        new("server", o => $"{o.ServerNetwork} {o.ServerNetmask}", (to, from) => (to.ServerNetwork, to.ServerNetmask) = (from.ServerNetwork, from.ServerNetmask)),
        new("workers", o => $"{o.Workers}", (to, from) => to.Workers = from.Workers),
        new("worker-cpus", o => o.WorkerCpus is not { } cpus ? "(not pinned)" : cpus.Count == 0 ? "auto" : string.Join(',', cpus), (to, from) => to.WorkerCpus = from.WorkerCpus),
        new("max-clients", o => $"{o.MaxClients}", (to, from) => to.MaxClients = from.MaxClients),
        new("user", o => o.User ?? "(none)", (to, from) => to.User = from.User),
        new("group", o => o.Group ?? "(none)", (to, from) => to.Group = from.Group),
        // The key files are not compared: connected clients keep using the running keys whatever the files say now.
        new("tls-auth/tls-crypt", o => o.ControlWrapperName, (to, from) => (to.ControlWrapper, to.ControlWrapperName) = (from.ControlWrapper, from.ControlWrapperName)),
        new("hand-window", o => $"{o.HandWindowSeconds}", (to, from) => to.HandWindowSeconds = from.HandWindowSeconds),
        new("management", o => o.Management?.ToString() ?? "(none)", (to, from) => to.Management = from.Management),
        new("metrics", o => o.MetricsEndPoint?.ToString() ?? "(none)", (to, from) => to.MetricsEndPoint = from.MetricsEndPoint),
        new("status", o => o.StatusFile is null ? "(none)" : $"{o.StatusFile} {o.StatusIntervalSeconds} version {o.StatusVersion}",
            (to, from) => (to.StatusFile, to.StatusIntervalSeconds, to.StatusVersion) = (from.StatusFile, from.StatusIntervalSeconds, from.StatusVersion)),
        new("ifconfig-pool-persist", o => o.IfconfigPoolPersistFile is null ? "(none)" : $"{o.IfconfigPoolPersistFile} {o.IfconfigPoolPersistSeconds}",
            (to, from) => (to.IfconfigPoolPersistFile, to.IfconfigPoolPersistSeconds) = (from.IfconfigPoolPersistFile, from.IfconfigPoolPersistSeconds)),
    ];

    /// <summary>
    /// The options to run with after a reload: <paramref name="reloaded"/>, except that every fixed option keeps its
    /// <paramref name="running"/> value; <paramref name="kept"/> lists those a reload wanted changed ("port 1195 (running: 1194)").
    /// Neither argument is changed.
    /// </summary>
    public static ServerOptions Merge(ServerOptions running, ServerOptions reloaded, out IReadOnlyList<string> kept)
    {
        var effective = reloaded.Copy();
        var changed = new List<string>();
        foreach (var option in FixedOptions)
        {
            string was = option.Describe(running), wanted = option.Describe(reloaded);
            if (was != wanted) changed.Add($"{option.Name} {wanted} (running: {was})");
            option.Keep(effective, running);
        }
        kept = changed;
        return effective;
    }
}
