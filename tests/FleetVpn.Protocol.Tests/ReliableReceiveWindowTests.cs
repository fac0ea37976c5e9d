using FleetVpn.Protocol.Reliability;
using FleetVpn.Protocol.Wire;

namespace FleetVpn.Protocol.Tests;

public class ReliableReceiveWindowTests
{
    [Fact]
    public void DeliversInOrderDespiteOutOfOrderArrival()
    {
        var w = new ReliableReceiveWindow(firstExpected: 1);
        Assert.Equal(ReceiveResult.Accepted, w.Receive(Opcode.ControlV1, 3, [3]));
        Assert.False(w.TryDequeue(out _, out _));
        Assert.Equal(ReceiveResult.Accepted, w.Receive(Opcode.ControlV1, 2, [2]));
        Assert.False(w.TryDequeue(out _, out _));
        Assert.Equal(ReceiveResult.Accepted, w.Receive(Opcode.ControlV1, 1, [1]));

        var delivered = new List<byte>();
        while (w.TryDequeue(out var opcode, out var payload))
        {
            Assert.Equal(Opcode.ControlV1, opcode);
            delivered.AddRange(payload);
        }
        Assert.Equal([1, 2, 3], delivered);
        Assert.Equal(4u, w.NextExpected);
    }

    [Fact]
    public void RetransmitCaptureScenario()
    {
        // retransmit fixture (client view): msg-pid 3 arrived before 2; the client ACKed [3,1,0] and
        // delivered both once 2 came.
        var w = new ReliableReceiveWindow(0);
        Assert.Equal(ReceiveResult.Accepted, w.Receive(Opcode.ControlHardResetServerV2, 0, []));
        Assert.Equal(ReceiveResult.Accepted, w.Receive(Opcode.ControlV1, 1, [1]));
        Assert.True(w.TryDequeue(out _, out _));
        Assert.True(w.TryDequeue(out _, out _));
        Assert.Equal(ReceiveResult.Accepted, w.Receive(Opcode.ControlV1, 3, [3]));
        Assert.False(w.TryDequeue(out _, out _));
        Assert.Equal([3u, 1u, 0u], Take(w, 8));

        Assert.Equal(ReceiveResult.Accepted, w.Receive(Opcode.ControlV1, 2, [2]));
        Assert.True(w.TryDequeue(out _, out var p2));
        Assert.True(w.TryDequeue(out _, out var p3));
        Assert.Equal([2], p2);
        Assert.Equal([3], p3);
        Assert.Equal([2u], Take(w, 8));
    }

    [Fact]
    public void DuplicateIsAckedAgainButNotDeliveredAgain()
    {
        var w = new ReliableReceiveWindow(1);
        Assert.Equal(ReceiveResult.Accepted, w.Receive(Opcode.ControlV1, 1, [1]));
        Assert.True(w.TryDequeue(out _, out _));
        Assert.Equal([1u], Take(w, 4));

        // Already delivered (below the window): ACK again.
        Assert.Equal(ReceiveResult.Duplicate, w.Receive(Opcode.ControlV1, 1, [1]));
        Assert.Equal([1u], Take(w, 4));
        Assert.False(w.TryDequeue(out _, out _));

        // Buffered but not yet delivered: ACK again, keep the first copy.
        Assert.Equal(ReceiveResult.Accepted, w.Receive(Opcode.ControlV1, 3, [3]));
        Assert.Equal(ReceiveResult.Duplicate, w.Receive(Opcode.ControlV1, 3, [99]));
        Assert.Equal([3u], Take(w, 4)); // queued once, not twice
        Assert.Equal(ReceiveResult.Accepted, w.Receive(Opcode.ControlV1, 2, [2]));
        Assert.True(w.TryDequeue(out _, out _));
        Assert.True(w.TryDequeue(out _, out var payload));
        Assert.Equal([3], payload);
    }

    [Fact]
    public void BeyondTheWindowIsDroppedWithoutAck()
    {
        var w = new ReliableReceiveWindow(5);
        Assert.Equal(ReceiveResult.OutOfWindow, w.Receive(Opcode.ControlV1, 5 + 12, [0]));
        Assert.Equal(ReceiveResult.OutOfWindow, w.Receive(Opcode.ControlV1, 5 + 100, [0]));
        Assert.Equal(ReceiveResult.OutOfWindow, w.Receive(Opcode.ControlV1, uint.MaxValue, [0]));
        Assert.Equal(0, w.PendingAckCount);

        Assert.Equal(ReceiveResult.Accepted, w.Receive(Opcode.ControlV1, 5 + 11, [0])); // last slot of the window
        Assert.Equal([16u], Take(w, 8));
    }

    [Fact]
    public void WindowMovesWithDelivery()
    {
        var w = new ReliableReceiveWindow(0);
        Assert.Equal(ReceiveResult.OutOfWindow, w.Receive(Opcode.ControlV1, 12, []));
        Assert.Equal(ReceiveResult.Accepted, w.Receive(Opcode.ControlV1, 0, []));
        // Still out of window until 0 is actually taken.
        Assert.Equal(ReceiveResult.OutOfWindow, w.Receive(Opcode.ControlV1, 12, []));
        Assert.True(w.TryDequeue(out _, out _));
        Assert.Equal(ReceiveResult.Accepted, w.Receive(Opcode.ControlV1, 12, []));
    }

    [Fact]
    public void TakeAcksReturnsNewestFirstAndRespectsTheLimit()
    {
        var w = new ReliableReceiveWindow(0);
        for (uint id = 0; id < 10; id++) w.Receive(Opcode.ControlV1, id, []);
        Assert.Equal(10, w.PendingAckCount);

        Assert.Equal([9u, 8u, 7u, 6u], Take(w, ControlPacket.MaxPiggybackAcks));
        Assert.Equal(6, w.PendingAckCount);

        // The destination length limits too.
        var small = new uint[2];
        Assert.Equal(2, w.TakeAcks(small, 8));
        Assert.Equal([5u, 4u], small);

        Assert.Equal([3u, 2u, 1u, 0u], Take(w, ControlPacket.MaxAcks));
        Assert.Equal(0, w.PendingAckCount);
        Assert.Empty(Take(w, 8));
    }

    [Fact]
    public void TakeAcksWithZeroMaxTakesNothing()
    {
        var w = new ReliableReceiveWindow(0);
        w.Receive(Opcode.ControlV1, 0, []);
        Assert.Empty(Take(w, 0));
        Assert.Equal(1, w.PendingAckCount);
    }

    [Fact]
    public void PayloadIsCopied()
    {
        var w = new ReliableReceiveWindow(0);
        var buffer = new byte[] { 1, 2, 3 };
        w.Receive(Opcode.ControlV1, 0, buffer);
        buffer[0] = 42;
        Assert.True(w.TryDequeue(out _, out var payload));
        Assert.Equal([1, 2, 3], payload);
    }

    private static uint[] Take(ReliableReceiveWindow w, int max)
    {
        var buffer = new uint[16];
        int n = w.TakeAcks(buffer, max);
        return buffer[..n];
    }
}
