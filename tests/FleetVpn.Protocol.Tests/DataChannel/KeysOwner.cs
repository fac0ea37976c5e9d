using FleetVpn.Protocol.DataChannel;
using FleetVpn.Protocol.Keys;

namespace FleetVpn.Protocol.Tests.DataChannel;

/// <summary>Key material as a cipher-cache owner, as the server's and the swarm's DataChannelKeys are.</summary>
internal sealed class KeysOwner(KeyMaterial value) : ICipherCacheOwner
{
    public KeyMaterial Value { get; } = value;
    public int CipherCacheKey { get; } = ICipherCacheOwner.NewCipherCacheKey();
}
