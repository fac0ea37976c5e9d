using System.Diagnostics;

namespace FleetVpn.LoadBalancer;

/// <summary>
/// The loop of `fleetvpn lb`: probes every node each interval and, when one goes down or comes back, assigns the
/// buckets over the live nodes again and applies the new ruleset with `nft -f`. With no live node at all it keeps
/// the last map (better a chance than certain loss).
/// </summary>
public sealed class LoadBalancerController(LbOptions options, Action<string> log)
{
    private readonly Dictionary<string, NodeHealth> _health =
        options.Nodes.ToDictionary(n => n.Id, _ => new NodeHealth(options.FailAfter, options.RiseAfter), StringComparer.Ordinal);
    private string[]? _applied;

    /// <summary>The bucket assignment in force (null before the first apply).</summary>
    public IReadOnlyList<string>? Applied => _applied;

    public async Task RunAsync(CancellationToken cancellation)
    {
        using var probe = new HealthProbe(options.ProbeTimeout);
        await ApplyAsync("start", cancellation).ConfigureAwait(false);
        using var timer = new PeriodicTimer(options.Interval);
        while (await WaitAsync(timer, cancellation).ConfigureAwait(false))
        {
            if (await ProbeAllAsync(probe, cancellation).ConfigureAwait(false) is { } changes)
                await ApplyAsync(changes, cancellation).ConfigureAwait(false);
        }
    }

    /// <summary>Probes every node once, at once; what changed, or null.</summary>
    public async Task<string?> ProbeAllAsync(HealthProbe probe, CancellationToken cancellation)
    {
        var results = await Task.WhenAll(options.Nodes.Select(async n => (Node: n, Probe: await probe.ProbeAsync(n, cancellation).ConfigureAwait(false))))
            .ConfigureAwait(false);
        var changes = new List<string>();
        foreach (var (node, (healthy, result)) in results)
        {
            var health = _health[node.Id];
            if (health.Record(healthy, result)) changes.Add($"{node.Id} {(health.Up ? "up" : "down")} ({result})");
        }
        return changes.Count == 0 ? null : string.Join(", ", changes);
    }

    /// <summary>Writes and applies the ruleset for the nodes up now; logs how many buckets moved.</summary>
    public async Task ApplyAsync(string reason, CancellationToken cancellation)
    {
        var live = options.Nodes.Where(n => _health[n.Id].Up).Select(n => n.Id).ToList();
        if (live.Count == 0)
        {
            log($"lb: {reason}: no node is up; the map stays as it was");
            return;
        }
        var assignment = BucketAssignment.Assign(live, options.Buckets);
        var text = NftRuleset.Render(options.Vip, options.Port, options.Hash, options.Nodes, assignment);
        string temporary = options.RulesetPath + ".tmp";
        await File.WriteAllTextAsync(temporary, text, cancellation).ConfigureAwait(false);
        File.Move(temporary, options.RulesetPath, overwrite: true);
        await RunNftAsync(cancellation).ConfigureAwait(false);
        int moved = _applied is null ? 0 : assignment.Where((id, bucket) => _applied[bucket] != id).Count();
        _applied = assignment;
        var shares = BucketAssignment.Shares(assignment);
        log($"lb: {reason}: {live.Count} of {options.Nodes.Count} node(s) up, {moved} of {assignment.Length} buckets moved; " +
            string.Join(", ", options.Nodes.Select(n => $"{n.Id} {shares.GetValueOrDefault(n.Id)}")));
    }

    private async Task RunNftAsync(CancellationToken cancellation)
    {
        var start = new ProcessStartInfo(options.Nft) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-f");
        start.ArgumentList.Add(options.RulesetPath);
        using var process = Process.Start(start) ?? throw new IOException($"cannot start {options.Nft}");
        var error = process.StandardError.ReadToEndAsync(cancellation);
        await process.StandardOutput.ReadToEndAsync(cancellation).ConfigureAwait(false);
        await process.WaitForExitAsync(cancellation).ConfigureAwait(false);
        if (process.ExitCode != 0)
            throw new IOException($"{options.Nft} -f {options.RulesetPath} failed (exit {process.ExitCode}): {(await error.ConfigureAwait(false)).Trim()}");
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken cancellation)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellation).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
