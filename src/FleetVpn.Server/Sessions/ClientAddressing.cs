using System.Net;
using System.Numerics;
using FleetVpn.Platform.Tun;
using FleetVpn.Server.Config;
using FleetVpn.Server.Routing;

namespace FleetVpn.Server.Sessions;

/// <summary>
/// What a client owns in the tunnel: its address (a ccd `ifconfig-push`, never given twice, or a
/// pool address), the mask pushed with it, and the subnets routed to it (`iroute`), both in the
/// server's tables and as kernel routes into the tun. Acquired whole or not at all; released once.
/// </summary>
public sealed class ClientAddressing
{
    private readonly ServerContext _server;
    private readonly ClientSession _session;
    // Made only for a client with iroutes: most devices have none, and an empty list still costs 32 bytes each.
    private List<(uint Network, uint Mask)>? _iroutes;
    private bool _kernelHostRoute;

    public ClientAddressing(ServerContext server, ClientSession session)
    {
        _server = server;
        _session = session;
    }

    public uint Address { get; private set; }
    public uint Netmask { get; private set; }

    /// <summary>True when the client has iroutes or a kernel route of its own: more to give back than its pool address.</summary>
    public bool HasRoutes => _kernelHostRoute || _iroutes is not null;

    /// <summary>Subnets behind the client, as (network, mask).</summary>
    public IReadOnlyList<(uint Network, uint Mask)> IRoutes => (IReadOnlyList<(uint Network, uint Mask)>?)_iroutes ?? [];

    /// <summary>Reads the client's client-config-dir file; a refusal reason when it must not connect.</summary>
    public static (ClientConfig? Config, string? Refusal) LoadClientConfig(ServerOptions options, string commonName)
    {
        if (options.ClientConfigDir is not { } directory) return (null, null);
        try
        {
            if (!ClientConfigDirectory.TryLoad(directory, commonName, out var config))
                return (null, options.CcdExclusive ? $"no client-config-dir file for '{commonName}' (ccd-exclusive)" : null);
            return config.Disable ? (config, "disabled by its client-config-dir file") : (config, null);
        }
        catch (ConfigException e)
        {
            return (null, $"client-config-dir: {e.Message}");
        }
    }

    /// <summary>Takes the address and iroutes; a refusal reason (and nothing held) on failure.</summary>
    public string? Acquire(ClientConfig? ccd)
    {
        var pool = _server.Pool;
        Netmask = pool.Mask;
        if (ccd?.IfconfigPush is { } push)
        {
            uint address = AddressPool.ToUInt32(push.Address);
            if (_server.Sessions.ByVirtualAddress(address) is not null || !pool.TryReserve(address))
                return $"ifconfig-push {push.Address} is already in use";
            Address = address;
            Netmask = AddressPool.ToUInt32(push.Netmask);
        }
        else if (pool.TryAllocate(_session.CommonName, out uint address))
        {
            Address = address;
        }
        else
        {
            return "address pool exhausted";
        }
        foreach (var route in ccd?.IRoutes ?? [])
        {
            uint network = AddressPool.ToUInt32(route.Network), mask = AddressPool.ToUInt32(route.Netmask);
            if (!_server.Sessions.TryAddIRoute(network, mask, _session))
            {
                Release();
                return $"iroute {route.Network}/{route.PrefixLength} belongs to another client";
            }
            (_iroutes ??= []).Add((network, mask));
        }
        // Kernel routes last, when nothing can fail any more. An address outside what the backend routes here (outside
        // the server network, or with fleet-node outside this node's block) gets a /32 the routing daemon can announce.
        if (!pool.Slice.Contains(Address))
        {
            _kernelHostRoute = true;
            KernelRoute(Address, 32, add: true);
        }
        foreach (var (network, mask) in IRoutes) KernelRoute(network, BitOperations.PopCount(mask), add: true);
        return null;
    }

    /// <summary>True for the client's own address and the subnets routed to it.</summary>
    public bool OwnsSource(uint address)
    {
        if (address == Address) return true;
        if (_iroutes is null) return false;
        foreach (var (network, mask) in _iroutes) // List's struct enumerator: no allocation per packet
            if ((address & mask) == network) return true;
        return false;
    }

    /// <summary>Gives everything back (the session table drops its iroute entries when the session is removed).</summary>
    public void Release()
    {
        if (Address == 0) return;
        _server.Pool.Release(Address);
        if (_kernelHostRoute) KernelRoute(Address, 32, add: false);
        foreach (var (network, mask) in IRoutes) KernelRoute(network, BitOperations.PopCount(mask), add: false);
        _iroutes = null;
        Address = 0;
    }

    private void KernelRoute(uint network, int prefixLength, bool add)
    {
        var address = AddressPool.ToAddress(network);
        try
        {
            if (add) InterfaceConfigurator.AddRoute(_server.Tun.Name, address, prefixLength);
            else InterfaceConfigurator.DeleteRoute(_server.Tun.Name, address, prefixLength);
        }
        catch (IOException e)
        {
            _server.Log.Info($"{_session.Name} route {address}/{prefixLength}: {e.Message}", "route-error");
        }
    }
}
