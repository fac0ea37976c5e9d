using FleetVpn.Protocol.DataChannel;
using FleetVpn.Protocol.Keys;
using FleetVpn.Protocol.Wire;

namespace FleetVpn.Server;

/// <summary>
/// Seals and opens one packet with every data cipher before the first client arrives, so that the
/// first tunnel packet does not wait for the JIT and OpenSSL's cipher lookups (a client's first
/// ping was seen lost, now and then, on this loaded 2-core machine before this warm-up).
/// </summary>
public static class DataPathWarmup
{
    public static void Run()
    {
        var keys = new KeyMaterial(new byte[KeyMaterial.Size]);
        Span<byte> packet = stackalloc byte[256];
        Span<byte> plaintext = stackalloc byte[128];
        foreach (var cipher in DataCipher.All.Concat(DataCipher.CbcHmac))
        {
            using var sender = PacketCiphers.Create(cipher, HmacDigest.Sha1, keys, 0);
            using var receiver = PacketCiphers.Create(cipher, HmacDigest.Sha1, keys, 0);
            DataPacketHeader.WriteV2(packet, 0, 0);
            int length = sender.Seal(packet, DataPacketHeader.V2Size, 1, plaintext[..64]);
            if (!receiver.TryOpen(packet[..length], DataPacketHeader.V2Size, plaintext, out _, out _))
                throw new InvalidOperationException($"{cipher.Name} does not open its own packet");
        }
    }
}
