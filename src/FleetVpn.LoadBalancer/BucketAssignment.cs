using System.Buffers.Binary;
using System.Text;

namespace FleetVpn.LoadBalancer;

/// <summary>
/// Which node each of the load balancer's hash buckets goes to, by rendezvous (highest random weight) hashing: a
/// bucket goes to the live node with the highest weight for the pair (node, bucket). The weight does not depend on
/// the other nodes, so when a node leaves only its own buckets move (each to the node that was second for it), and
/// when it comes back it takes exactly those back. With 4,096 buckets a node's share is within about 2 % (one standard deviation) of even; 256 would leave about 9 %.
/// </summary>
public static class BucketAssignment
{
    /// <summary>The default bucket count: the jhash result is taken mod this, and the nftables map has as many entries.</summary>
    public const int DefaultBuckets = 4096;

    /// <summary>The node id of each bucket 0 … <paramref name="buckets"/> − 1 over the live <paramref name="nodeIds"/>.</summary>
    public static string[] Assign(IReadOnlyCollection<string> nodeIds, int buckets = DefaultBuckets)
    {
        if (nodeIds.Count == 0) throw new ArgumentException("no live node to assign buckets to", nameof(nodeIds));
        ArgumentOutOfRangeException.ThrowIfLessThan(buckets, 1);
        var seeds = nodeIds.Select(id => (Id: id, Seed: Seed(id))).ToList();
        var assignment = new string[buckets];
        for (int bucket = 0; bucket < buckets; bucket++)
        {
            ulong best = 0;
            string? owner = null;
            foreach (var (id, seed) in seeds)
            {
                ulong weight = Mix(seed ^ (ulong)bucket * 0x9E3779B97F4A7C15UL);
                // Ties (practically never) go to the smaller id, so the result does not depend on the list's order.
                if (owner is null || weight > best || (weight == best && string.CompareOrdinal(id, owner) < 0))
                {
                    best = weight;
                    owner = id;
                }
            }
            assignment[bucket] = owner!;
        }
        return assignment;
    }

    /// <summary>How many buckets each node holds.</summary>
    public static Dictionary<string, int> Shares(IEnumerable<string> assignment) =>
        assignment.GroupBy(id => id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    /// <summary>A stable 64-bit value for a node id (FNV-1a: the same on every machine and run, unlike string.GetHashCode).</summary>
    private static ulong Seed(string id)
    {
        ulong hash = 0xCBF29CE484222325UL;
        foreach (byte b in Encoding.UTF8.GetBytes(id))
        {
            hash ^= b;
            hash *= 0x100000001B3UL;
        }
        return hash;
    }

    /// <summary>splitmix64's finaliser: every input bit reaches every output bit.</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
