using System.Text.Json.Nodes;

namespace FleetVpn.Protocol.Tests.Fixtures;

/// <summary>
/// Access to packet-vectors.json fields whose names carry an explanation in parentheses
/// ("decrypted_hex (acks|[remote sid]|[msg pid]|payload)"): looked up by the part before the explanation.
/// </summary>
internal static class VectorFields
{
    /// <summary>Hex bytes of the one field whose name is <paramref name="name"/> or starts with "<paramref name="name"/> (".</summary>
    public static byte[] HexField(this JsonNode vector, string name) => FixtureFiles.Hex(Field(vector, name), name);

    public static JsonNode Field(this JsonNode vector, string name)
    {
        var matches = vector.AsObject()
            .Where(p => p.Key == name || p.Key.StartsWith(name + " (", StringComparison.Ordinal))
            .ToList();
        if (matches.Count != 1 || matches[0].Value is null)
            throw new InvalidDataException($"vector '{vector["name"]}' has {matches.Count} fields named like '{name}'");
        return matches[0].Value!;
    }

    /// <summary>The text of a static key file in <c>keys/</c> (ta.key, tc.key).</summary>
    public static string KeyFileText(string fileName)
    {
        var path = FixtureFiles.PathOf("keys", fileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"fixture key missing: {path}", path);
        return File.ReadAllText(path);
    }
}
