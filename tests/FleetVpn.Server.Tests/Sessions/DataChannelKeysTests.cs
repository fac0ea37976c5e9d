using System.Buffers.Binary;
using System.Security.Cryptography;
using FleetVpn.Protocol.DataChannel;
using FleetVpn.Protocol.Keys;
using FleetVpn.Server.Sessions;

namespace FleetVpn.Server.Tests.Sessions;

public sealed class DataChannelKeysTests
{
    [Fact]
    public async Task Threads_sealing_at_once_never_share_a_packet_id()
    {
        var keys = new DataChannelKeys(0, DataCipher.Aes256Gcm, HmacDigest.Sha1, new KeyMaterial(RandomNumberGenerator.GetBytes(KeyMaterial.Size)));
        const int threads = 4, each = 5_000, header = 4;
        var ids = await Task.WhenAll(Enumerable.Range(0, threads).Select(_ => Task.Run(() =>
        {
            var seen = new List<uint>(each);
            var packet = new byte[header + keys.MaxOverhead + 100];
            var plaintext = new byte[100];
            for (int i = 0; i < each; i++)
            {
                Assert.True(keys.Seal(packet, header, plaintext) > 0);
                seen.Add(BinaryPrimitives.ReadUInt32BigEndian(packet.AsSpan(header))); // AEAD: the packet-id comes first
            }
            return seen;
        })));
        var all = ids.SelectMany(s => s).Order().ToList();
        Assert.Equal(Enumerable.Range(1, threads * each).Select(i => (uint)i), all);
    }
}
