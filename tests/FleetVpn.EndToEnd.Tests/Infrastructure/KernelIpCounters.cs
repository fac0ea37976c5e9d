using System.Globalization;

namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The kernel's IPv4 counters of one network namespace, from the "Ip:" lines of /proc/net/snmp as
/// read inside it (/proc/net shows the reading process's namespace): e.g. FragCreates (fragments
/// this namespace made), FragOKs, FragFails, ReasmReqds (fragments it received to reassemble).
/// </summary>
public sealed class KernelIpCounters
{
    /// <summary>The fragmentation counters: any change in them means IP fragmentation happened.</summary>
    public static readonly string[] Fragmentation = ["FragCreates", "FragOKs", "FragFails", "ReasmReqds", "ReasmOKs", "ReasmFails"];

    private readonly IReadOnlyDictionary<string, long> _values;

    private KernelIpCounters(string ns, IReadOnlyDictionary<string, long> values)
    {
        Namespace = ns;
        _values = values;
    }

    public string Namespace { get; }

    public long this[string name] =>
        _values.TryGetValue(name, out var v) ? v : throw new KeyNotFoundException($"/proc/net/snmp in {Namespace} has no Ip: {name}");

    public static async Task<KernelIpCounters> ReadAsync(string ns)
    {
        var result = await Commands.Exec(ns, "cat", "/proc/net/snmp");
        if (!result.Succeeded) throw new InvalidOperationException(result.ToString());
        var ipLines = result.StandardOutput.Split('\n').Where(l => l.StartsWith("Ip: ", StringComparison.Ordinal)).ToArray();
        if (ipLines.Length != 2) throw new InvalidOperationException("unexpected /proc/net/snmp:\n" + result.StandardOutput);
        var names = ipLines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToArray();
        var values = ipLines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(v => long.Parse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)).ToArray();
        if (names.Length != values.Length) throw new InvalidOperationException("unexpected /proc/net/snmp:\n" + result.StandardOutput);
        return new KernelIpCounters(ns, names.Zip(values).ToDictionary(p => p.First, p => p.Second));
    }

    /// <summary>The fragmentation counters that changed between <paramref name="before"/> and this reading, as "Name +N".</summary>
    public IReadOnlyList<string> FragmentationSince(KernelIpCounters before) =>
        Fragmentation.Where(n => this[n] != before[n]).Select(n => $"{n} +{this[n] - before[n]}").ToArray();
}
