using System.Net;
using System.Numerics;
using FleetVpn.Server.Config;
using FleetVpn.Server.Diagnostics;
using FleetVpn.Server.Logging;

namespace FleetVpn.Server.Engine;

/// <summary>
/// <c>connect-freq-initial</c>, <c>connect-freq</c> and <c>connect-freq-per-source</c> (<see cref="ConnectFreqDirectives"/>):
/// whether a new client's initial reset gets its stateless reply, and whether a client that echoed the cookie gets a
/// session. Consulted only for packets from unknown sources, after the wrapper check; the state is four fixed
/// tables (<see cref="FixedWindowCounters"/>, 32 to 512 KB each for the per-source ones), the same for one forged source or
/// a million. A refusal is counted and the packet dropped: a real client retries.
/// </summary>
public sealed class ConnectRateLimits
{
    /// <summary>
    /// Slots of each per-source table: one per 16 clients of max-clients, a power of two from 4,096 (32 KB) to 65,536
    /// (512 KB). Sources share a slot's budget, so a storm of a million legitimate reconnects would crowd ~250 devices
    /// into each of 4,096 slots; with 65,536 it is ~15.
    /// </summary>
    public static int SourceSlotsFor(int maxClients) =>
        (int)Math.Clamp(BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, maxClients / 16)), 4096u, 65536u);

    private readonly ConnectRate _initialRate;
    private readonly ConnectRate? _connectRate;
    private readonly FixedWindowCounters _initial;
    private readonly FixedWindowCounters? _initialPerSource;
    private readonly FixedWindowCounters? _connect;
    private readonly FixedWindowCounters? _connectPerSource;
    private readonly ServerCounters _counters;
    private readonly ServerLog? _log;
    private long _warnedInitialWindow = -1;
    private long _warnedConnectWindow = -1;

    public ConnectRateLimits(ServerOptions options, ServerCounters counters, ServerLog? log)
    {
        _counters = counters;
        _log = log;
        _initialRate = options.ConnectFreqInitial;
        _connectRate = options.ConnectFreq;
        int perSource = options.ConnectFreqPerSource;
        int slots = SourceSlotsFor(options.MaxClients);
        _initial = new FixedWindowCounters(1, _initialRate.Count, _initialRate.Seconds);
        if (perSource > 0) _initialPerSource = new FixedWindowCounters(slots, perSource, _initialRate.Seconds);
        if (_connectRate is { } connect)
        {
            _connect = new FixedWindowCounters(1, connect.Count, connect.Seconds);
            if (perSource > 0) _connectPerSource = new FixedWindowCounters(slots, perSource, connect.Seconds);
        }
    }

    /// <summary>
    /// True when an initial reset from <paramref name="from"/> may have its stateless reply; false when the source's
    /// share or the global budget of <c>connect-freq-initial</c> is spent (counted).
    /// </summary>
    public bool AdmitsInitialReply(SocketAddress from, long nowMs)
    {
        int slot = _initialPerSource?.SlotOf(from) ?? 0;
        if (_initialPerSource is not null && !_initialPerSource.TryTake(slot, nowMs))
        {
            ServerCounters.Increment(ref _counters.SourceRateLimited);
            return false;
        }
        if (_initial.TryTake(0, nowMs)) return true;
        _initialPerSource?.GiveBack(slot, nowMs);
        ServerCounters.Increment(ref _counters.InitialRateLimited);
        WarnOnce(ref _warnedInitialWindow, _initial.WindowOf(nowMs), "connect-freq-initial", _initialRate, "replies to initial resets");
        return false;
    }

    /// <summary>
    /// True when a client that echoed its cookie from <paramref name="from"/> may have a session; false when
    /// <c>connect-freq</c> (or the source's share of it) is spent (counted). An admitted client proved its address:
    /// its reply goes back to the <c>connect-freq-initial</c> budgets, as in OpenVPN.
    /// </summary>
    public bool AdmitsNewClient(SocketAddress from, long nowMs)
    {
        if (_connect is not null)
        {
            int slot = _connectPerSource?.SlotOf(from) ?? 0;
            if (_connectPerSource is not null && !_connectPerSource.TryTake(slot, nowMs))
            {
                ServerCounters.Increment(ref _counters.SourceRateLimited);
                return false;
            }
            if (!_connect.TryTake(0, nowMs))
            {
                _connectPerSource?.GiveBack(slot, nowMs);
                ServerCounters.Increment(ref _counters.ConnectRateLimited);
                WarnOnce(ref _warnedConnectWindow, _connect.WindowOf(nowMs), "connect-freq", _connectRate!.Value, "new clients");
                return false;
            }
        }
        _initial.GiveBack(0, nowMs);
        _initialPerSource?.GiveBack(_initialPerSource.SlotOf(from), nowMs);
        return true;
    }

    /// <summary>One log line per window in which a global limit refused something (OpenVPN logs one too).</summary>
    private void WarnOnce(ref long warnedWindow, uint window, string directive, ConnectRate rate, string what)
    {
        if (_log is null || Interlocked.Exchange(ref warnedWindow, window) == window) return;
        _log.Info($"Note: {directive} {rate.Count} {rate.Seconds} exceeded: no more {what} for the rest of this {rate.Seconds} s period", directive);
    }
}
