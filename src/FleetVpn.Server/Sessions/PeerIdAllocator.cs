namespace FleetVpn.Server.Sessions;

/// <summary>
/// Hands out peer-ids so that each names its worker: peer-id mod the number of workers is the owner's index, so a
/// data packet can be routed to its owner from its first four bytes. Each worker gets its even share of max-clients
/// plus room for the kernel's hash spreading clients unevenly (1/8 more, at least 64), within the 24-bit peer-id
/// (0xFFFFFF means none); max-clients still bounds the total. Not thread-safe: the session table's lock guards it.
/// </summary>
public sealed class PeerIdAllocator
{
    /// <summary>Per worker: peer-ids given back, taken again before fresh ones (memory only for those).</summary>
    private readonly Stack<int>[] _returned;
    /// <summary>Per worker: how many of its peer-ids were ever handed out.</summary>
    private readonly int[] _fresh;
    private readonly int _perWorker;
    private readonly int _maxClients;
    private readonly int _workers;

    public PeerIdAllocator(int maxClients, int workers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxClients, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        _maxClients = maxClients;
        _workers = workers;
        _perWorker = (int)Math.Min((maxClients + workers - 1) / workers + Math.Max(64, maxClients / workers / 8), 0xFFFFFF / workers);
        Capacity = _perWorker * workers;
        _returned = new Stack<int>[workers];
        for (int w = 0; w < workers; w++) _returned[w] = new Stack<int>();
        _fresh = new int[workers];
    }

    /// <summary>Peer-ids run 0 … this − 1.</summary>
    public int Capacity { get; }

    /// <summary>Peer-ids in use.</summary>
    public int InUse { get; private set; }

    /// <summary>The index of the worker that owns <paramref name="peerId"/>.</summary>
    public int WorkerOf(int peerId) => peerId % _workers;

    /// <summary>A free peer-id of <paramref name="worker"/>; false when max-clients is reached or the worker's share is spent.</summary>
    public bool TryTake(int worker, out int peerId)
    {
        peerId = -1;
        if (InUse >= _maxClients) return false;
        if (!_returned[worker].TryPop(out peerId))
        {
            if (_fresh[worker] == _perWorker) return false;
            peerId = _fresh[worker]++ * _workers + worker;
        }
        InUse++;
        return true;
    }

    /// <summary>Gives back a peer-id that <see cref="TryTake"/> handed out.</summary>
    public void Return(int peerId)
    {
        _returned[WorkerOf(peerId)].Push(peerId);
        InUse--;
    }
}
