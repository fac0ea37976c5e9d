using System.Text.Json.Nodes;

namespace FleetVpn.Protocol.Tests.Fixtures;

/// <summary>
/// Locates <c>shared/fixtures/openvpn-2.6</c>: walk up from the test binary to the directory holding
/// FleetVpn.slnx, then <c>../shared/fixtures/openvpn-2.6</c>.
/// </summary>
internal static class FixtureFiles
{
    private static readonly Lazy<string> RootPath = new(Locate);

    public static string Root => RootPath.Value;

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    public static JsonNode Json(params string[] parts)
    {
        var path = PathOf(parts);
        if (!File.Exists(path)) throw new FileNotFoundException($"fixture file missing: {path}", path);
        return JsonNode.Parse(File.ReadAllText(path)) ?? throw new InvalidDataException($"empty JSON in {path}");
    }

    /// <summary>The entry of prf-vectors.json whose name contains <paramref name="nameContains"/>.</summary>
    public static JsonNode PrfVector(string nameContains) => Vector("prf-vectors.json", nameContains);

    /// <summary>The entry of packet-vectors.json whose name contains <paramref name="nameContains"/>.</summary>
    public static JsonNode PacketVector(string nameContains) => Vector("packet-vectors.json", nameContains);

    /// <summary>Hex bytes of a JSON string node (fails the test clearly when it is absent).</summary>
    public static byte[] Hex(JsonNode? node, string what = "value")
    {
        var text = node?.GetValue<string>() ?? throw new InvalidDataException($"fixture {what} is missing");
        return Convert.FromHexString(text);
    }

    private static JsonNode Vector(string file, string nameContains)
    {
        var vectors = Json(file)["vectors"]?.AsArray() ?? throw new InvalidDataException($"{file} has no 'vectors'");
        var matches = vectors.Where(v => v?["name"]?.GetValue<string>().Contains(nameContains, StringComparison.Ordinal) == true).ToList();
        if (matches.Count != 1)
            throw new InvalidDataException($"{file}: expected exactly one vector named like '{nameContains}', found {matches.Count}");
        return matches[0]!;
    }

    private static string Locate()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "FleetVpn.slnx"))) dir = dir.Parent;
        if (dir is null)
            throw new DirectoryNotFoundException(
                $"cannot find the repository root (a directory containing FleetVpn.slnx) above {AppContext.BaseDirectory}");
        var fixtures = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "fixtures", "openvpn-2.6"));
        if (!Directory.Exists(fixtures) || !File.Exists(Path.Combine(fixtures, "prf-vectors.json")))
            throw new DirectoryNotFoundException(
                $"OpenVPN 2.6 fixtures not found at {fixtures} (expected ../shared/fixtures/openvpn-2.6 next to the repository at {dir.FullName})");
        return fixtures;
    }
}
