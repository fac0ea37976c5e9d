namespace FleetVpn.Protocol.DataChannel;

/// <summary>The client's peer-info lines (§5.5) that change what the server does.</summary>
public sealed class PeerInfo
{
    /// <summary>IV_PROTO bit 1: P_DATA_V2 and pushed peer-id.</summary>
    public const int ProtoDataV2 = 1 << 1;
    /// <summary>IV_PROTO bit 2: the server may push without waiting for PUSH_REQUEST.</summary>
    public const int ProtoRequestPush = 1 << 2;
    /// <summary>IV_PROTO bit 3: TLS-EKM data keys.</summary>
    public const int ProtoTlsKeyExport = 1 << 3;
    /// <summary>IV_PROTO bit 7: understands protocol-flags and sends EXIT on the control channel.</summary>
    public const int ProtoCcExitNotify = 1 << 7;

    public string? Version { get; init; }
    public string? Platform { get; init; }
    public int Proto { get; init; }
    public int Ncp { get; init; }
    public int Mtu { get; init; }
    public IReadOnlyList<string>? Ciphers { get; init; }
    public bool CompStubV2 { get; init; }

    public bool Has(int protoBit) => (Proto & protoBit) != 0;

    public static PeerInfo Parse(string text)
    {
        string? version = null, platform = null;
        int proto = 0, ncp = 0, mtu = 0;
        IReadOnlyList<string>? ciphers = null;
        bool stubV2 = false;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            int eq = line.IndexOf('=');
            if (eq <= 0) continue;
            var name = line[..eq];
            var value = line[(eq + 1)..];
            switch (name)
            {
                case "IV_VER": version = value; break;
                case "IV_PLAT": platform = value; break;
                case "IV_PROTO": int.TryParse(value, out proto); break;
                case "IV_NCP": int.TryParse(value, out ncp); break;
                case "IV_MTU": int.TryParse(value, out mtu); break;
                case "IV_CIPHERS": ciphers = value.Split(':', StringSplitOptions.RemoveEmptyEntries); break;
                case "IV_COMP_STUBv2": stubV2 = value == "1"; break;
            }
        }
        return new PeerInfo
        {
            Version = version, Platform = platform, Proto = proto, Ncp = ncp, Mtu = mtu, Ciphers = ciphers, CompStubV2 = stubV2,
        };
    }
}
