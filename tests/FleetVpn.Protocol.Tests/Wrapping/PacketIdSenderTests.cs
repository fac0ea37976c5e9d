using FleetVpn.Protocol.Tests.Fixtures;
using FleetVpn.Protocol.Wrapping;

namespace FleetVpn.Protocol.Tests;

public class PacketIdSenderTests
{
    [Fact]
    public void StartsAtOneWithTheGivenTimeAndCountsEveryPacket()
    {
        var sender = new PacketIdSender(0x6b07b40f);
        Assert.Equal(0u, sender.LastId);
        Assert.Equal(new ReplayPacketId(1, 0x6b07b40f), sender.Next());
        Assert.Equal(new ReplayPacketId(2, 0x6b07b40f), sender.Next());
        Assert.True(sender.TryNext(out var third));
        Assert.Equal(3u, third.Id);
        Assert.Equal(3u, sender.LastId);
    }

    [Fact]
    public void TlsCryptV2ClientStartsAtTheEarlyNegotiationMarker()
    {
        var sender = new PacketIdSender(1, PacketIdSender.TlsCryptV2EarlyNegotiationStart);
        Assert.Equal(0x0F000001u, sender.Next().Id);
    }

    [Fact]
    public void RefusesToRollOver()
    {
        var sender = new PacketIdSender(5, uint.MaxValue - 1);
        Assert.Equal(uint.MaxValue, sender.Next().Id);
        Assert.False(sender.TryNext(out _));
        Assert.Throws<InvalidOperationException>(() => sender.Next());
    }

    [Fact]
    public void ConcurrentSendersGetDistinctIds()
    {
        var sender = new PacketIdSender(9);
        var ids = new System.Collections.Concurrent.ConcurrentBag<uint>();
        Parallel.For(0, 10_000, _ => ids.Add(sender.Next().Id));
        Assert.Equal(10_000, ids.Distinct().Count());
        Assert.Equal(10_000u, ids.Max());
    }

    [Fact]
    public void ReplayPacketIdReadsAndWritesTheWireOrder()
    {
        var bytes = Convert.FromHexString("000000016b07b40f");
        var id = ReplayPacketId.Read(bytes);
        Assert.Equal(new ReplayPacketId(1, 0x6b07b40f), id);
        var written = new byte[ReplayPacketId.Size];
        id.Write(written);
        Assert.Equal(bytes, written);
    }

    /// <summary>Per direction the captured replay ids count 1, 2, 3, … with one time (tls-auth fixture).</summary>
    [Fact]
    public void CapturedReplayIdsCountUpFromOne()
    {
        var session = new CapturedSession("tls-auth", 20);
        foreach (bool clientToServer in new[] { true, false })
        {
            var ids = session.ControlPackets.Where(p => p.ClientToServer == clientToServer)
                .Select(p => (Id: p.Decoded["replay_pid"]!.GetValue<uint>(), Time: p.Decoded["replay_time"]!.GetValue<uint>())).ToList();
            var sender = new PacketIdSender(ids[0].Time);
            foreach (var captured in ids) Assert.Equal(new ReplayPacketId(captured.Id, captured.Time), sender.Next());
        }
    }
}
