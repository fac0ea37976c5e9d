using FleetVpn.Server.Logging;

namespace FleetVpn.Server.Tests.Logging;

/// <summary>The bounded queue between the threads that log and the writer: order kept, nothing waits, drops counted and reported.</summary>
public sealed class LogQueueTests
{
    private static LogEntry Line(string text) => new(DateTime.Now, 1, text);

    [Fact]
    public void Lines_from_one_thread_are_written_in_order()
    {
        var sink = new RecordingSink();
        using var queue = new LogQueue(sink, capacity: 4096);

        var expected = Enumerable.Range(0, 2000).Select(i => $"line {i}").ToList();
        foreach (var text in expected) Assert.True(queue.TryEnqueue(Line(text)));
        Assert.True(queue.Flush(TimeSpan.FromSeconds(10)));

        Assert.Equal(expected, sink.Lines);
        Assert.Equal(0, queue.Dropped);
    }

    [Fact]
    public void Lines_from_many_threads_keep_each_thread_s_order()
    {
        var sink = new RecordingSink();
        using var queue = new LogQueue(sink, capacity: 8192);

        Parallel.For(0, 4, t =>
        {
            for (int i = 0; i < 1000; i++) Assert.True(queue.TryEnqueue(Line($"{t} {i}")));
        });
        Assert.True(queue.Flush(TimeSpan.FromSeconds(10)));

        Assert.Equal(4000, sink.Lines.Count);
        foreach (var thread in sink.Lines.GroupBy(l => l.Split(' ')[0]))
            Assert.Equal(Enumerable.Range(0, 1000), thread.Select(l => int.Parse(l.Split(' ')[1])));
    }

    [Fact]
    public void A_full_queue_drops_new_lines_counts_them_and_says_so_once_it_can()
    {
        const int capacity = 8;
        var sink = new RecordingSink();
        using var queue = new LogQueue(sink, capacity);
        sink.Hold();

        Assert.True(queue.TryEnqueue(Line("first")));
        Assert.True(sink.Entered.Wait(TimeSpan.FromSeconds(10)), "the writer never took the first line");
        // The writer holds "first"; the queue has room for exactly `capacity` more, then refuses without waiting.
        for (int i = 0; i < capacity; i++) Assert.True(queue.TryEnqueue(Line($"kept {i}")));
        for (int i = 0; i < 5; i++) Assert.False(queue.TryEnqueue(Line($"lost {i}")));
        Assert.Equal(5, queue.Dropped);

        sink.Release();
        Assert.True(queue.Flush(TimeSpan.FromSeconds(10)));

        var lines = sink.Lines;
        Assert.Equal(["first", .. Enumerable.Range(0, capacity).Select(i => $"kept {i}")], lines.Take(capacity + 1));
        Assert.DoesNotContain(lines, l => l.StartsWith("lost", StringComparison.Ordinal));
        var report = Assert.Single(lines, l => l.Contains("dropped", StringComparison.Ordinal));
        Assert.Equal($"WARNING: 5 log line(s) dropped: the log queue ({capacity} lines) was full or its output failed (5 since the start)", report);

        // Reported once: more lines bring no second report, and the count stays.
        Assert.True(queue.TryEnqueue(Line("after")));
        Assert.True(queue.Flush(TimeSpan.FromSeconds(10)));
        Assert.Single(sink.Lines, l => l.Contains("dropped", StringComparison.Ordinal));
        Assert.Equal("after", sink.Lines[^1]);
        Assert.Equal(5, queue.Dropped);
    }

    [Fact]
    public void A_line_the_output_fails_to_write_is_counted_as_dropped()
    {
        var sink = new RecordingSink { FailWith = text => text == "bad" ? new IOException("No space left on device") : null };
        using var queue = new LogQueue(sink, capacity: 16);

        queue.TryEnqueue(Line("good"));
        queue.TryEnqueue(Line("bad"));
        queue.TryEnqueue(Line("good again"));
        Assert.True(queue.Flush(TimeSpan.FromSeconds(10)));

        Assert.Equal(1, queue.Dropped);
        Assert.Equal("good", sink.Lines[0]);
        Assert.Equal("good again", sink.Lines[1]);
        Assert.StartsWith("WARNING: 1 log line(s) dropped", sink.Lines[2]);
    }

    [Fact]
    public void Dispose_writes_what_is_queued_then_closes_the_sink()
    {
        var sink = new RecordingSink();
        var queue = new LogQueue(sink, capacity: 100);
        for (int i = 0; i < 50; i++) queue.TryEnqueue(Line($"line {i}"));

        queue.Dispose();

        Assert.Equal(50, sink.Lines.Count);
        Assert.True(sink.Disposed);
        Assert.False(queue.TryEnqueue(Line("too late")));
    }
}
