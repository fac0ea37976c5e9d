using System.Net;

namespace FleetVpn.LoadBalancer;

/// <summary>What `fleetvpn lb` runs with.</summary>
public sealed record LbOptions
{
    public required IReadOnlyList<LbNode> Nodes { get; init; }
    public required IPAddress Vip { get; init; }
    public int Port { get; init; } = 1194;
    public LbHash Hash { get; init; } = LbHash.Address;
    public int Buckets { get; init; } = BucketAssignment.DefaultBuckets;
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(1);
    public int FailAfter { get; init; } = 2;
    public int RiseAfter { get; init; } = 2;

    /// <summary>Where the generated ruleset is written before `nft -f` reads it.</summary>
    public required string RulesetPath { get; init; }

    /// <summary>The nft executable ("nft" on PATH).</summary>
    public string Nft { get; init; } = "nft";
}
