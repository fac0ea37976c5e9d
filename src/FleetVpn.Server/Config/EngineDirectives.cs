namespace FleetVpn.Server.Config;

/// <summary>
/// FleetVPN's own engine directives (OpenVPN has no equivalent: it is one thread):
/// <c>workers N</c>, the worker threads, each with its own socket on the port and its own tun queue
/// (0, the default: one per CPU the process may run on); and <c>worker-cpus LIST</c>, the CPUs the workers
/// are pinned to in turn (<c>0-3,8</c>), or <c>auto</c> for the CPUs the process may run on, in order.
/// </summary>
internal static class EngineDirectives
{
    /// <summary>A thread per worker and a socket each: more than this is a typo, not a machine.</summary>
    public const int MaxWorkers = 1024;

    public static int ParseWorkers(ConfigDirective directive) =>
        ConfigValues.Integer(directive, DirectiveArguments.Single(directive), "workers", 0, MaxWorkers);

    /// <summary>The CPU list, in order, duplicates dropped; an empty list for <c>auto</c> (resolved at start-up).</summary>
    public static IReadOnlyList<int> ParseWorkerCpus(ConfigDirective directive)
    {
        string text = DirectiveArguments.Single(directive);
        if (text == "auto") return [];
        var cpus = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var bounds = part.Split('-');
            if (bounds.Length > 2) throw directive.Error($"'{part}' is not a CPU or a range (e.g. 0-3,8)");
            int first = Cpu(directive, bounds[0]);
            int last = bounds.Length == 2 ? Cpu(directive, bounds[1]) : first;
            if (last < first) throw directive.Error($"range '{part}' runs backwards");
            for (int cpu = first; cpu <= last; cpu++)
                if (!cpus.Contains(cpu)) cpus.Add(cpu);
        }
        if (cpus.Count == 0) throw directive.Error("names no CPU (e.g. worker-cpus 0-3, or worker-cpus auto)");
        return cpus;
    }

    private static int Cpu(ConfigDirective directive, string text) =>
        ConfigValues.Integer(directive, text, "worker-cpus CPU number", 0, 1023);
}
