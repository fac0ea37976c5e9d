using FleetVpn.Protocol.DataChannel;
using FleetVpn.Protocol.Keys;

namespace FleetVpn.Fuzz.Targets;

/// <summary>A data packet from a client through the AES-256-CBC + HMAC-SHA256 open path (the keys of the captured no-wrap-cbc session).</summary>
public sealed class DataCbcTarget : IFuzzTarget
{
    private static readonly KeyMaterial Keys = FuzzKeys.DataKeys("no-wrap-cbc");
    private readonly IPacketCipher _cipher = PacketCiphers.Create(DataCipher.Aes256Cbc, HmacDigest.Sha256, Keys, KeyMaterial.ClientToServer);

    public string Name => "data-cbc";

    public void Run(ReadOnlySpan<byte> input) => DataChannelOpen.Run(input, _cipher, null);
}
