using FleetVpn.Protocol.Keys;
using FleetVpn.Protocol.Wrapping;

namespace FleetVpn.Fuzz.Targets;

/// <summary>The key material the targets use (Keys/, copied from shared/fixtures/openvpn-2.6 by make-seeds.py).</summary>
public static class FuzzKeys
{
    /// <summary>The folder of the keys and certificates; also the working directory of the config targets.</summary>
    public static string Directory { get; } = Path.Combine(AppContext.BaseDirectory, "Keys");

    public static StaticKey Static(string file) => StaticKey.Parse(File.ReadAllText(Path.Combine(Directory, file)));

    /// <summary>The data keys (key2) of a captured session, whose data packets are the seeds.</summary>
    public static KeyMaterial DataKeys(string session) =>
        new(Convert.FromHexString(File.ReadAllText(Path.Combine(Directory, session + ".key2")).Trim()));
}
