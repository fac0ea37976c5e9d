using FleetVpn.Protocol.DataChannel;
using FleetVpn.Protocol.Keys;

namespace FleetVpn.Fuzz.Targets;

/// <summary>
/// A data packet from a client through the AES-256-GCM open path (the keys of the captured tls-crypt session), with
/// both implementations: OpenSSL's (what the server uses) and the BCL's. They must agree on every input.
/// </summary>
public sealed class DataAeadTarget : IFuzzTarget
{
    private static readonly KeyMaterial Keys = FuzzKeys.DataKeys("tls-crypt");
    private readonly IPacketCipher _server = PacketCiphers.Create(DataCipher.Aes256Gcm, HmacDigest.Sha1, Keys, KeyMaterial.ClientToServer);
    private readonly IPacketCipher _bcl = new AeadPacketCipher(DataCipher.Aes256Gcm, Keys, KeyMaterial.ClientToServer);

    public string Name => "data-aead";

    public void Run(ReadOnlySpan<byte> input) => DataChannelOpen.Run(input, _server, _bcl);
}
