using BenchmarkDotNet.Attributes;
using FleetVpn.Protocol.Timing;

namespace FleetVpn.Benchmarks;

/// <summary>
/// The timing wheel in steady state, as a worker drives it: <see cref="Clients"/> deadlines spread evenly over 10 s,
/// the clock advanced one 50 ms tick at a time, and every item that fires scheduled again 10 s ahead (a keepalive).
/// An operation is one entry fired and scheduled again (an invocation is <see cref="FiredPerInvoke"/> of them: 20 ticks
/// at 100,000 clients, 2 at 1,000,000), so the Allocated column shows whether steady state allocates (it must not).
/// </summary>
[MemoryDiagnoser]
public class TimingWheelBenchmarks
{
    private const int TickMs = 50;
    private const long IntervalMs = 10_000;
    private const int FiredPerInvoke = 10_000;

    private TimingWheel<Deadline> _wheel = null!;
    private List<Deadline> _due = null!;
    private long _now;

    [Params(100_000, 1_000_000)]
    public int Clients { get; set; }

    /// <summary>Every entry fires once per <see cref="IntervalMs"/>, evenly spread: Clients × TickMs / IntervalMs per tick.</summary>
    private int TicksPerInvoke => (int)(FiredPerInvoke * IntervalMs / ((long)Clients * TickMs));

    [GlobalSetup]
    public void Setup()
    {
        _wheel = new TimingWheel<Deadline>(0, TickMs);
        _due = new List<Deadline>(Clients);
        for (int i = 0; i < Clients; i++)
        {
            var deadline = new Deadline { DueMs = 1 + i * IntervalMs / Clients };
            _wheel.Schedule(deadline, deadline.DueMs);
        }
        // One full turn of the wheel first, so every slot's array has grown to its steady size before measuring.
        long turnMs = 2048L * TickMs;
        while (_now < turnMs + IntervalMs) Tick();
        if (_wheel.Count != Clients) throw new InvalidOperationException($"{_wheel.Count} entries held, expected {Clients}");
        int fired = 0;
        for (int i = 0; i < TicksPerInvoke; i++) fired += Tick();
        if (fired != FiredPerInvoke) throw new InvalidOperationException($"{fired} fired per invocation, expected {FiredPerInvoke}");
    }

    [Benchmark(OperationsPerInvoke = FiredPerInvoke)]
    public int AdvanceAndReschedule()
    {
        int fired = 0;
        for (int i = 0; i < TicksPerInvoke; i++) fired += Tick();
        return fired;
    }

    private int Tick()
    {
        _now += TickMs;
        _due.Clear();
        _wheel.Advance(_now, _due);
        foreach (var deadline in _due)
        {
            deadline.DueMs += IntervalMs;
            _wheel.Schedule(deadline, deadline.DueMs);
        }
        return _due.Count;
    }

    private sealed class Deadline
    {
        public long DueMs;
    }
}
