using FleetVpn.Server.Management;

namespace FleetVpn.Server.Tests.Management;

public sealed class ManagementOutputQueueTests
{
    [Fact]
    public async Task Text_comes_out_in_order_and_the_pending_size_follows()
    {
        var queue = new ManagementOutputQueue(100);
        Assert.True(queue.TryEnqueue("one\r\n"));
        Assert.True(queue.TryEnqueue("two\r\n"));
        Assert.Equal(10, queue.PendingChars);

        Assert.Equal("one\r\n", await queue.DequeueAsync(CancellationToken.None));
        Assert.Equal(5, queue.PendingChars);
        queue.Complete();
        Assert.Equal("two\r\n", await queue.DequeueAsync(CancellationToken.None));
        Assert.Null(await queue.DequeueAsync(CancellationToken.None));
    }

    [Fact]
    public void A_notification_past_the_bound_overflows_the_queue_and_closes_it()
    {
        var queue = new ManagementOutputQueue(10);
        Assert.True(queue.TryEnqueue("123456"));
        Assert.False(queue.Overflowed);

        Assert.False(queue.TryEnqueue("789012"));
        Assert.True(queue.Overflowed);
        Assert.False(queue.TryEnqueue("x"));
    }

    [Fact]
    public void A_reply_may_go_past_the_bound_and_then_the_queue_is_full()
    {
        var queue = new ManagementOutputQueue(10);
        Assert.False(queue.IsFull);

        Assert.True(queue.TryEnqueue(new string('s', 50), unbounded: true));

        Assert.False(queue.Overflowed);
        Assert.True(queue.IsFull);
    }
}
