using System.Globalization;
using System.Net;
using System.Text;

namespace FleetVpn.LoadBalancer;

/// <summary>
/// The load balancer's nftables table, <c>ip fleetvpn_lb</c>, stateless in both directions:
/// <list type="bullet">
/// <item>raw prerouting: datagrams to the VIP's port, and the nodes' answers, skip conntrack (<c>notrack</c>): no
/// entry per device, nothing to expire or to flush when a node dies;</item>
/// <item>mangle prerouting: the destination becomes the node of the datagram's bucket
/// (<c>jhash ip saddr mod 4096</c>, a fixed seed so a rewrite never reshuffles the buckets) through the map
/// <c>buckets</c>, before routing, which then forwards it to the node;</item>
/// <item>mangle postrouting: a node's answer leaves with the VIP as its source, so the device sees the address it
/// sent to. The nodes route their answers through the load balancer (their route to the devices' networks).</item>
/// </list>
/// The file deletes and recreates the table in one `nft -f` transaction: the kernel swaps it atomically, and no
/// datagram sees a half-written map.
/// </summary>
public static class NftRuleset
{
    public const string Table = "fleetvpn_lb";

    /// <summary>The jhash seed: fixed, since without one the kernel draws a new one each time the rule is made.</summary>
    public const uint Seed = 0xF1EE7;

    public static string Render(IPAddress vip, int port, LbHash hash, IReadOnlyList<LbNode> nodes, IReadOnlyList<string> assignment)
    {
        var byId = nodes.ToDictionary(n => n.Id, StringComparer.Ordinal);
        string key = hash == LbHash.Address ? "ip saddr" : "ip saddr . udp sport";
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $$"""
            # Written by fleetvpn lb: {{nodes.Count}} node(s), {{Shares(assignment, byId)}}.
            # Applied with nft -f: the table is replaced in one transaction.
            table ip {{Table}}
            delete table ip {{Table}}
            table ip {{Table}} {
              map buckets {
                type mark : ipv4_addr
                elements = { {{Elements(assignment, byId)}} }
              }

              set nodes {
                type ipv4_addr
                elements = { {{string.Join(", ", nodes.Select(n => n.Address))}} }
              }

              chain raw_prerouting {
                type filter hook prerouting priority raw; policy accept;
                ip daddr {{vip}} udp dport {{port}} notrack
                ip saddr @nodes udp sport {{port}} notrack
              }

              chain prerouting {
                type filter hook prerouting priority mangle; policy accept;
                ip daddr {{vip}} udp dport {{port}} meta mark set jhash {{key}} mod {{assignment.Count}} seed 0x{{Seed:x}} ip daddr set meta mark map @buckets
              }

              chain postrouting {
                type filter hook postrouting priority mangle; policy accept;
                ip saddr @nodes udp sport {{port}} ip saddr set {{vip}}
              }
            }

            """);
        return text.ToString().Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    private static string Elements(IReadOnlyList<string> assignment, Dictionary<string, LbNode> byId) =>
        string.Join(", ", assignment.Select((id, bucket) =>
            byId.TryGetValue(id, out var node) ? $"{bucket} : {node.Address}" : throw new ArgumentException($"bucket {bucket} names unknown node {id}")));

    private static string Shares(IReadOnlyList<string> assignment, Dictionary<string, LbNode> byId) =>
        string.Join(", ", byId.Keys.Select(id => $"{id} {BucketAssignment.Shares(assignment).GetValueOrDefault(id)} buckets"));
}
