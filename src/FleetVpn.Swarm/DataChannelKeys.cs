using FleetVpn.Protocol.DataChannel;
using FleetVpn.Protocol.Keys;

namespace FleetVpn.Swarm;

/// <summary>
/// One key-id's data-channel state of a simulated client: the sealing cipher (slot client→server),
/// the opening cipher (slot server→client), the outgoing packet-id and the replay window.
/// </summary>
internal sealed class DataChannelKeys : IDisposable
{
    public DataChannelKeys(int keyId, DataCipher cipher, HmacDigest auth, KeyMaterial keys)
    {
        KeyId = keyId;
        Cipher = cipher;
        if (cipher.IsAead)
        {
            Seal = new AeadPacketCipher(cipher, keys, KeyMaterial.ClientToServer);
            Open = new AeadPacketCipher(cipher, keys, KeyMaterial.ServerToClient);
        }
        else
        {
            Seal = new CbcHmacPacketCipher(cipher, auth, keys, KeyMaterial.ClientToServer);
            Open = new CbcHmacPacketCipher(cipher, auth, keys, KeyMaterial.ServerToClient);
        }
    }

    public int KeyId { get; }
    public DataCipher Cipher { get; }
    public IPacketCipher Seal { get; }
    public IPacketCipher Open { get; }
    public uint LastPacketId { get; set; }
    public ReplayWindow Replay;

    public void Dispose()
    {
        Seal.Dispose();
        Open.Dispose();
    }
}
