using FleetVpn.Protocol.Reliability;
using FleetVpn.Protocol.Wire;

namespace FleetVpn.Protocol.Tests;

public class ReliableSendWindowTests
{
    private const long Timeout = 2000;

    [Fact]
    public void SeventhPacketWaitsForAnAck()
    {
        var w = new ReliableSendWindow(firstMessageId: 1, initialTimeoutMs: Timeout);
        for (int i = 0; i < 7; i++) w.Enqueue(Opcode.ControlV1, [(byte)i]);

        var due = Collect(w, 0);

        Assert.Equal([1u, 2u, 3u, 4u, 5u, 6u], Ids(due));
        Assert.Equal(7, w.Outstanding);
        Assert.Empty(Collect(w, 10)); // nothing new before an ACK or the timeout

        Assert.True(w.Acknowledge(1));
        due = Collect(w, 20);
        var seventh = Assert.Single(due);
        Assert.Equal(7u, seventh.MessageId);
        Assert.Equal([6], seventh.Payload);
        Assert.Equal(6, w.Outstanding);
    }

    [Fact]
    public void WindowIsCountedFromTheLowestUnackedId()
    {
        // OpenVPN may not send an id >= lowest unacked + 6, even if later packets were ACKed.
        var w = new ReliableSendWindow(0, Timeout);
        for (int i = 0; i < 7; i++) w.Enqueue(Opcode.ControlV1, [(byte)i]);
        Assert.Equal(6, Collect(w, 0).Count);

        Assert.True(w.Acknowledge(3));
        Assert.Empty(Collect(w, 1)); // id 6 would be 0 + 6: still outside

        Assert.True(w.Acknowledge(0));
        Assert.Equal([6u], Ids(Collect(w, 2)));
    }

    [Fact]
    public void RetransmitsAfterTheTimeoutWithDoubling()
    {
        var w = new ReliableSendWindow(0, Timeout);
        w.Enqueue(Opcode.ControlHardResetServerV2, []);
        var first = Assert.Single(Collect(w, 1000));
        Assert.Equal(1, first.Transmissions);
        Assert.Equal(1000 + Timeout, first.DueAt);
        Assert.Equal(1000 + Timeout, w.NextDeadline);

        Assert.Empty(Collect(w, 1000 + Timeout - 1));

        long now = 1000 + Timeout;
        long interval = Timeout;
        for (int retransmission = 1; retransmission <= 5; retransmission++)
        {
            var again = Assert.Single(Collect(w, now));
            Assert.Same(first, again);
            Assert.Equal(0u, again.MessageId);
            Assert.Equal(Opcode.ControlHardResetServerV2, again.Opcode);
            Assert.Equal(retransmission + 1, again.Transmissions);
            interval *= 2;
            Assert.Equal(interval, again.TimeoutMs);
            Assert.Equal(now + interval, again.DueAt);
            Assert.Empty(Collect(w, now + interval - 1));
            now += interval;
        }
    }

    [Fact]
    public void AckedPacketIsNotRetransmitted()
    {
        var w = new ReliableSendWindow(0, Timeout);
        w.Enqueue(Opcode.ControlV1, [1]);
        Collect(w, 0);
        Assert.True(w.Acknowledge(0));
        Assert.False(w.Acknowledge(0)); // duplicate ACKs are harmless
        Assert.False(w.Acknowledge(17)); // unknown id
        Assert.Empty(Collect(w, 100_000));
        Assert.Equal(0, w.Outstanding);
        Assert.Equal(long.MaxValue, w.NextDeadline);
    }

    [Fact]
    public void FastRetransmitAfterThreeLaterAcks()
    {
        var w = new ReliableSendWindow(0, Timeout);
        for (int i = 0; i < 5; i++) w.Enqueue(Opcode.ControlV1, [(byte)i]);
        Assert.Equal(5, Collect(w, 0).Count);

        Assert.True(w.Acknowledge(1));
        Assert.True(w.Acknowledge(2));
        Assert.Empty(Collect(w, 10)); // two later ACKs are not enough
        Assert.True(w.Acknowledge(3));

        var due = Collect(w, 20); // well before the 2 s timeout
        var resent = Assert.Single(due);
        Assert.Equal(0u, resent.MessageId);
        Assert.Equal(2, resent.Transmissions);

        // The counter restarts: one more later ACK does not trigger another immediate resend.
        Assert.True(w.Acknowledge(4));
        Assert.Empty(Collect(w, 30));
    }

    [Fact]
    public void AcksOfEarlierPacketsDoNotCountAsLater()
    {
        var w = new ReliableSendWindow(0, Timeout);
        for (int i = 0; i < 5; i++) w.Enqueue(Opcode.ControlV1, [(byte)i]);
        Collect(w, 0);
        Assert.True(w.Acknowledge(0));
        Assert.True(w.Acknowledge(1));
        Assert.True(w.Acknowledge(2));
        Assert.Empty(Collect(w, 10)); // packets 3 and 4 got no later ACKs
    }

    [Fact]
    public void MessageIdsAreConsecutiveFromTheFirstId()
    {
        var w = new ReliableSendWindow(firstMessageId: 1, Timeout);
        var all = new List<uint>();
        for (int round = 0; round < 4; round++)
        {
            for (int i = 0; i < 3; i++) w.Enqueue(Opcode.ControlV1, []);
            var due = Collect(w, round * 10);
            all.AddRange(Ids(due));
            foreach (var p in due) Assert.True(w.Acknowledge(p.MessageId));
        }
        Assert.Equal(Enumerable.Range(1, 12).Select(i => (uint)i), all);
    }

    [Fact]
    public void NextDeadlineIsZeroWhenSomethingCanBeSentNow()
    {
        var w = new ReliableSendWindow(0, Timeout);
        Assert.Equal(long.MaxValue, w.NextDeadline);
        w.Enqueue(Opcode.ControlV1, []);
        Assert.Equal(0, w.NextDeadline);
    }

    private static List<OutgoingControlPacket> Collect(ReliableSendWindow w, long now)
    {
        var due = new List<OutgoingControlPacket>();
        w.CollectDue(now, due);
        return due;
    }

    private static uint[] Ids(List<OutgoingControlPacket> packets) => packets.Select(p => p.MessageId).ToArray();
}
