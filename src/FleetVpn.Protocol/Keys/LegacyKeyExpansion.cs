using System.Text;
using FleetVpn.Protocol.Wire;

namespace FleetVpn.Protocol.Keys;

/// <summary>
/// OpenVPN's legacy data-key derivation (<c>generate_key_expansion_openvpn_prf()</c>, §5.7):
/// <code>
/// master = PRF(client.pre_master, "OpenVPN master secret" ‖ client.random1 ‖ server.random1, 48)
/// key2   = PRF(master, "OpenVPN key expansion" ‖ client.random2 ‖ server.random2 ‖ client_sid ‖ server_sid, 256)
/// </code>
/// </summary>
public static class LegacyKeyExpansion
{
    private static readonly byte[] MasterLabel = Encoding.ASCII.GetBytes("OpenVPN master secret");
    private static readonly byte[] ExpansionLabel = Encoding.ASCII.GetBytes("OpenVPN key expansion");

    public static KeyMaterial Derive(KeySource client, KeySource server, SessionId clientSessionId, SessionId serverSessionId)
    {
        if (client.PreMaster is null) throw new ArgumentException("the client's key source carries the pre_master", nameof(client));
        Span<byte> master = stackalloc byte[48];
        Tls1Prf.Derive(client.PreMaster, [.. MasterLabel, .. client.Random1, .. server.Random1], master);

        Span<byte> sids = stackalloc byte[2 * SessionId.Size];
        clientSessionId.Write(sids);
        serverSessionId.Write(sids[SessionId.Size..]);
        Span<byte> key2 = stackalloc byte[KeyMaterial.Size];
        Tls1Prf.Derive(master, [.. ExpansionLabel, .. client.Random2, .. server.Random2, .. sids], key2);
        var result = new KeyMaterial(key2);
        master.Clear();
        key2.Clear();
        return result;
    }
}
