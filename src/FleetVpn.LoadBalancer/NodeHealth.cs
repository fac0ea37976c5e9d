namespace FleetVpn.LoadBalancer;

/// <summary>
/// One node's health with hysteresis: it goes down after <c>failAfter</c> failed probes in a row and comes back
/// after <c>riseAfter</c> good ones, so one lost probe does not move a node's devices (a stateless load balancer
/// moves a node's connected devices with its buckets, not only new ones). A node starts up.
/// </summary>
public sealed class NodeHealth(int failAfter, int riseAfter)
{
    private int _streak;

    public bool Up { get; private set; } = true;

    /// <summary>What the last probe said (for the log).</summary>
    public string LastResult { get; private set; } = "not probed";

    /// <summary>Records a probe; true when the node changed state.</summary>
    public bool Record(bool healthy, string result)
    {
        LastResult = result;
        if (healthy == Up)
        {
            _streak = 0;
            return false;
        }
        if (++_streak < (Up ? failAfter : riseAfter)) return false;
        Up = healthy;
        _streak = 0;
        return true;
    }
}
