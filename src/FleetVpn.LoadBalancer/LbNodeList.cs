using System.Net;
using System.Net.Sockets;

namespace FleetVpn.LoadBalancer;

/// <summary>
/// The nodes file of `fleetvpn lb --nodes FILE`: one node a line, <c>ADDRESS HEALTH-URL</c>
/// (<c>10.90.0.11 http://10.90.0.11:9469/health</c>); blank lines and lines starting with '#' are skipped.
/// </summary>
public static class LbNodeList
{
    public static IReadOnlyList<LbNode> Read(string path) => Parse(File.ReadAllText(path), path);

    /// <summary>The nodes in <paramref name="text"/>; a <see cref="FormatException"/> naming file and line for a bad one.</summary>
    public static IReadOnlyList<LbNode> Parse(string text, string file)
    {
        var nodes = new List<LbNode>();
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            string where = $"{file}:{i + 1}: '{line}'";
            if (fields.Length != 2) throw new FormatException($"{where}: expects ADDRESS HEALTH-URL");
            if (!IPAddress.TryParse(fields[0], out var address) || address.AddressFamily != AddressFamily.InterNetwork
                || fields[0].Count(c => c == '.') != 3)
                throw new FormatException($"{where}: '{fields[0]}' is not an IPv4 address");
            if (!Uri.TryCreate(fields[1], UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttp)
                throw new FormatException($"{where}: '{fields[1]}' is not an http:// URL");
            if (nodes.Any(n => n.Address.Equals(address))) throw new FormatException($"{where}: {address} is listed twice");
            nodes.Add(new LbNode(address, url));
        }
        if (nodes.Count == 0) throw new FormatException($"{file}: lists no node");
        return nodes;
    }
}
