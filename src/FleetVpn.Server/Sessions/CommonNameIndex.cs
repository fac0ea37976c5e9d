namespace FleetVpn.Server.Sessions;

/// <summary>
/// The session holding each common name, for `duplicate-cn` off (OpenVPN's default, and a fleet's usual setting: one
/// certificate per device), keyed by <see cref="ClientSession.CommonName"/> (ordinal).
/// </summary>
public sealed class CommonNameIndex : OpenAddressingIndex<ClientSession, string>
{
    protected override string KeyOf(ClientSession entry) => entry.CommonName;
}
