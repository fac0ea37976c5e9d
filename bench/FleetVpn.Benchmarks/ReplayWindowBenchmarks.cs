using BenchmarkDotNet.Attributes;
using FleetVpn.Protocol.DataChannel;

namespace FleetVpn.Benchmarks;

/// <summary>
/// The data channel's replay check per packet (<see cref="ReplayWindow.TryAccept"/>), in order and with the
/// reordering and duplicates a lossy link brings. A run is <see cref="Packets"/> checks on a fresh window.
/// </summary>
[MemoryDiagnoser]
public class ReplayWindowBenchmarks
{
    private const int Packets = 1024;

    private uint[] _reordered = null!;

    [GlobalSetup]
    public void Setup()
    {
        // Every 8th packet arrives two places late, every 16th is also received twice; a fixed seed keeps runs comparable.
        var ids = new List<uint>(Packets);
        for (uint id = 1; ids.Count < Packets; id++)
        {
            ids.Add(id);
            if (id % 16 == 0 && ids.Count < Packets) ids.Add(id);
        }
        for (int i = 8; i + 2 < ids.Count; i += 8) (ids[i], ids[i + 2]) = (ids[i + 2], ids[i]);
        _reordered = ids.ToArray();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Packets)]
    public int InOrder()
    {
        var window = new ReplayWindow();
        int accepted = 0;
        for (uint id = 1; id <= Packets; id++)
            if (window.TryAccept(id)) accepted++;
        return accepted;
    }

    [Benchmark(OperationsPerInvoke = Packets)]
    public int ReorderedWithDuplicates()
    {
        var window = new ReplayWindow();
        int accepted = 0;
        foreach (uint id in _reordered)
            if (window.TryAccept(id)) accepted++;
        return accepted;
    }
}
