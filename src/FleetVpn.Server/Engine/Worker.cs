using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using FleetVpn.Platform.Sockets;
using FleetVpn.Platform.Threading;
using FleetVpn.Protocol.Timing;
using FleetVpn.Server.Diagnostics;
using FleetVpn.Server.Sessions;

namespace FleetVpn.Server.Engine;

/// <summary>
/// One core's share of the server: a thread with its own SO_REUSEPORT socket on the port, its own tun queue, and
/// the sessions the kernel's hash sent to it, with their timers in its own timing wheel. It waits in epoll for its
/// socket, its tun queue and its inbox, takes datagrams by the batch (recvmmsg) and sends by the batch (sendmmsg).
/// <para>
/// A session belongs to the worker that admitted it; its peer-id says which (<see cref="SessionTable"/>). A datagram
/// that reaches another worker (the client floated to an address the kernel hashes elsewhere) is handed to the
/// owner through its inbox, so a session's receive state (replay window, reliability layer) is only ever touched
/// by one thread. Packets from the tun may be sealed by any worker: no lock on that path, the send packet-id is
/// taken atomically and each thread seals with its own cipher contexts.
/// </para>
/// </summary>
public sealed class Worker : IDisposable
{
    private const ulong UdpToken = 1;
    private const ulong TunToken = 2;
    private const ulong InboxToken = 3;
    private const int BatchSize = 64;
    /// <summary>Receive batches per wake-up before the tun and the timers get their turn.</summary>
    private const int BatchesPerWakeup = 4;
    private const int TunPacketsPerWakeup = 64;
    /// <summary>The longest epoll wait: how soon a stop request is seen.</summary>
    private const int MaxWaitMs = 100;
    /// <summary>Comp-lzo framing byte in front of a tun packet.</summary>
    private const int Headroom = 1;

    [ThreadStatic] private static Worker? t_current;

    private readonly ServerContext _server;

    /// <summary>The server this worker serves.</summary>
    public ServerContext Server => _server;
    private readonly UdpPort _port;
    private readonly ReceiveBatch _receive;
    private readonly SendBatch _send;
    private readonly Epoll _epoll = new(8);
    private readonly EventFd _wake = new();
    private readonly ConcurrentQueue<(byte[] Datagram, int Length, SocketAddress From)> _datagrams = new();
    private readonly ConcurrentQueue<ClientSession> _wakeRequests = new();
    private readonly PacketDispatcher _dispatcher;
    private readonly TunForwarder _tun;
    private readonly SessionTimers _timers;
    private readonly TimingWheel<ClientSession> _wheel;
    private readonly List<ClientSession> _due = new();
    private readonly SocketAddress _from;
    private readonly byte[] _tunPacket;

    public Worker(ServerContext server, int index, UdpPort port, int? cpu)
    {
        _server = server;
        Index = index;
        Cpu = cpu;
        _port = port;
        int datagramBytes = server.Options.TunMtu + 256;
        _receive = new ReceiveBatch(BatchSize, Math.Max(2048, datagramBytes));
        _send = new SendBatch(port, BatchSize, Math.Max(2048, datagramBytes));
        _dispatcher = new PacketDispatcher(server, this);
        _tun = new TunForwarder(server);
        _timers = new SessionTimers(server);
        _wheel = new TimingWheel<ClientSession>(ServerContext.NowMs);
        _from = new SocketAddress(port.AddressFamily);
        _tunPacket = new byte[Headroom + 65536];
    }

    /// <summary>Its position among the workers: the low part of the peer-ids it hands out.</summary>
    public int Index { get; }

    /// <summary>The CPU it is pinned to; null when not pinned.</summary>
    public int? Cpu { get; }

    /// <summary>The tun queue it reads and writes.</summary>
    public int TunQueue => Index % _server.Tun.QueueCount;

    /// <summary>The worker whose thread is running this code; null on other threads (TLS tasks, the status writer).</summary>
    public static Worker? Current => t_current;

    /// <summary>Sessions this worker owns now.</summary>
    public int SessionCount => Volatile.Read(ref _sessionCount);
    private int _sessionCount;

    /// <summary>Datagrams received here for a session of another worker (floated clients) and passed on.</summary>
    public long HandedOff => Interlocked.Read(ref _handedOff);
    private long _handedOff;

    /// <summary>Datagrams the kernel refused to send from this worker's batches.</summary>
    public long SendDropped => _send.Dropped;

    internal void SessionAdded() => Interlocked.Increment(ref _sessionCount);
    internal void SessionRemoved() => Interlocked.Decrement(ref _sessionCount);

    public void Run(CancellationToken stop)
    {
        t_current = this;
        if (Cpu is int cpu)
        {
            try { CpuAffinity.PinCurrentThread(cpu); }
            catch (IOException e) { _server.Log.Info($"worker {Index}: cannot pin to CPU {cpu}: {e.Message}", "worker-cpu"); }
        }
        _epoll.Add(_port.Fd, UdpToken);
        _epoll.Add(_server.Tun.QueueFd(TunQueue), TunToken);
        _epoll.Add(_wake.Fd, InboxToken);
        Span<ulong> ready = stackalloc ulong[4];
        while (!stop.IsCancellationRequested)
        {
            int timeout = (int)Math.Clamp(_wheel.NextTickMs - ServerContext.NowMs, 0, MaxWaitMs);
            int n = _epoll.Wait(ready, timeout);
            for (int i = 0; i < n; i++)
            {
                switch (ready[i])
                {
                    case UdpToken: ReceiveDatagrams(); break;
                    case TunToken: ReadTun(); break;
                    case InboxToken: TakeInbox(); break;
                }
            }
            RunTimers(ServerContext.NowMs);
            _send.Flush();
        }
    }


    /// <summary>Sends from this worker's batch to a session's address. The worker's own thread only.</summary>
    public void Send(ReadOnlySpan<byte> datagram, in PeerAddress to) => _send.Add(datagram, to);

    /// <summary>Sends at once on this worker's socket, from any thread; false when the kernel refused it.</summary>
    public bool SendNow(ReadOnlySpan<byte> datagram, in PeerAddress to) => _port.SendTo(datagram, to);


    /// <summary>Passes a datagram that belongs to one of this worker's sessions to this worker's thread. Any thread.</summary>
    public void Post(ReadOnlySpan<byte> datagram, SocketAddress from)
    {
        var copy = ArrayPool<byte>.Shared.Rent(datagram.Length);
        datagram.CopyTo(copy);
        _datagrams.Enqueue((copy, datagram.Length, SessionTable.Copy(from)));
        _wake.Signal();
    }

    /// <summary>Counts a datagram handed to another worker.</summary>
    internal void CountHandOff() => Interlocked.Increment(ref _handedOff);

    /// <summary>
    /// Asks for <paramref name="session"/>'s timers to run soon (its control channel has something to send or
    /// retransmit). Any thread: from another one the request goes through the inbox.
    /// </summary>
    public void Wake(ClientSession session)
    {
        if (t_current == this)
        {
            Schedule(session, ServerContext.NowMs + SessionTimers.ControlPollMs);
            return;
        }
        _wakeRequests.Enqueue(session);
        _wake.Signal();
    }

    /// <summary>
    /// Makes sure <paramref name="session"/> wakes no later than <paramref name="dueMs"/>. The wheel has no removal:
    /// a later entry left behind finds the session's due time moved and is skipped. This worker's thread only.
    /// </summary>
    public void Schedule(ClientSession session, long dueMs)
    {
        if (dueMs >= session.WheelDueMs) return;
        session.WheelDueMs = dueMs;
        _wheel.Schedule(session, dueMs);
    }

    /// <summary>
    /// This worker's sessions whose first handshake stalled, oldest first: what a new client may replace when max-clients
    /// is reached. Entries that finished or closed since are dropped as they come to the front. This worker's thread only.
    /// </summary>
    private readonly Queue<ClientSession> _stalledHandshakes = new();

    /// <summary>Notes a session whose first handshake stalled (its client went quiet). This worker's thread only.</summary>
    public void NoteStalledHandshake(ClientSession session)
    {
        DropResolvedStalls(ServerContext.NowMs);
        _stalledHandshakes.Enqueue(session);
    }

    /// <summary>
    /// Closes the oldest session of this worker whose first handshake is still stalled, so that a new client can have
    /// its place under max-clients; false when there is none. This worker's thread only.
    /// </summary>
    public bool EvictStalledHandshake()
    {
        DropResolvedStalls(ServerContext.NowMs);
        if (!_stalledHandshakes.TryDequeue(out var stalled)) return false;
        stalled.Close("evicted: its handshake had stalled and a new client needed its place (max-clients reached)", level: 3);
        return true;
    }

    private void DropResolvedStalls(long nowMs)
    {
        while (_stalledHandshakes.TryPeek(out var oldest) && !oldest.IsStalledHandshake(nowMs)) _stalledHandshakes.Dequeue();
    }

    private void ReceiveDatagrams()
    {
        for (int round = 0; round < BatchesPerWakeup; round++)
        {
            int n = _receive.Receive(_port);
            for (int i = 0; i < n; i++)
            {
                if (_receive.Truncated(i))
                {
                    ServerCounters.Increment(ref _server.Counters.Malformed);
                    continue;
                }
                _receive.CopySource(i, _from);
                Dispatch(_receive.Datagram(i), _from);
            }
            if (n < BatchSize) return;
        }
    }

    private void Dispatch(ReadOnlySpan<byte> datagram, SocketAddress from)
    {
        if (_server.Draining && _server.Sessions.ByAddress(from) is null) return;
        try
        {
            _dispatcher.OnDatagram(datagram, from);
        }
        catch (Exception e)
        {
            // A bug must not take the worker down: count, log and go on.
            ServerCounters.Increment(ref _server.Counters.Malformed);
            _server.Log.Info($"packet from {from} dropped after an internal error: {e.GetType().Name}: {e.Message}", "dispatch-error");
        }
    }

    private void ReadTun()
    {
        var tun = _server.Tun;
        for (int i = 0; i < TunPacketsPerWakeup; i++)
        {
            int length;
            try
            {
                length = tun.TryRead(TunQueue, _tunPacket.AsSpan(Headroom));
            }
            catch (IOException e)
            {
                _server.Log.Info($"tun read failed: {e.Message}", "tun-read");
                return;
            }
            if (length == 0) return;
            try
            {
                _tun.Forward(_tunPacket.AsSpan(0, Headroom + length));
            }
            catch (Exception e)
            {
                ServerCounters.Increment(ref _server.Counters.NoRoute);
                _server.Log.Info($"tun packet dropped after an internal error: {e.GetType().Name}: {e.Message}", "dispatch-error");
            }
        }
    }

    private void TakeInbox()
    {
        _wake.Drain();
        _dispatcher.HandlingInbox = true;
        while (_datagrams.TryDequeue(out var item))
        {
            Dispatch(item.Datagram.AsSpan(0, item.Length), item.From);
            ArrayPool<byte>.Shared.Return(item.Datagram);
        }
        _dispatcher.HandlingInbox = false;
        long soon = ServerContext.NowMs + SessionTimers.ControlPollMs;
        while (_wakeRequests.TryDequeue(out var session)) Schedule(session, soon);
    }

    private void RunTimers(long now)
    {
        _due.Clear();
        _wheel.Advance(now, _due);
        foreach (var session in _due)
        {
            // A stale entry: the session was scheduled again for an earlier time and has run since.
            if (session.WheelDueMs > now) continue;
            session.WheelDueMs = long.MaxValue;
            long next = _timers.Fire(session, now);
            if (next != long.MaxValue) Schedule(session, next);
        }
    }

    public void Dispose()
    {
        _epoll.Dispose();
        _wake.Dispose();
        _receive.Dispose();
        _send.Dispose();
    }
}
