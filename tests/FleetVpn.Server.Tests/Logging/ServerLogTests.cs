using FleetVpn.Server.Logging;

namespace FleetVpn.Server.Tests.Logging;

/// <summary>`verb` and `mute` with OpenVPN's meaning (error.c: msg_test, dont_mute), through the queue.</summary>
public sealed class ServerLogTests
{
    private static (ServerLog Log, RecordingSink Sink) Log(int verb = 3, int mute = 0)
    {
        var sink = new RecordingSink();
        return (new ServerLog(verb, mute, sink), sink);
    }

    private static IReadOnlyList<string> Written(ServerLog log, RecordingSink sink)
    {
        Assert.True(log.Flush());
        return sink.Lines;
    }

    [Fact]
    public void Lines_above_verb_are_not_logged()
    {
        var (log, sink) = Log(verb: 3);
        using (log)
        {
            log.Write(3, "three");
            log.Write(4, "four");
            log.Write(0, "zero");

            Assert.Equal(["three", "zero"], Written(log, sink));
        }
    }

    [Fact]
    public void Mute_lets_n_lines_of_a_category_through_then_notes_it_and_counts_the_rest()
    {
        var (log, sink) = Log(mute: 2);
        using (log)
        {
            for (int i = 1; i <= 5; i++) log.Info($"drop {i}", "drops");
            log.Info("float", "float");

            // OpenVPN: two lines, "NOTE: --mute triggered...", then at the next category the count of the suppressed ones.
            Assert.Equal(
                ["drop 1", "drop 2", "NOTE: --mute triggered...", "3 variation(s) on previous 2 message(s) suppressed by --mute", "float"],
                Written(log, sink));
        }
    }

    [Fact]
    public void Lines_without_a_category_are_never_muted_and_end_a_run()
    {
        var (log, sink) = Log(mute: 1);
        using (log)
        {
            log.Info("same");
            log.Info("same");
            log.Info("a", "cat");
            log.Info("b", "cat");
            log.Info("plain");
            log.Info("c", "cat");

            Assert.Equal(
                ["same", "same", "a", "NOTE: --mute triggered...", "1 variation(s) on previous 1 message(s) suppressed by --mute", "plain", "c"],
                Written(log, sink));
        }
    }

    [Fact]
    public void Mute_zero_mutes_nothing()
    {
        var (log, sink) = Log(mute: 0);
        using (log)
        {
            for (int i = 0; i < 10; i++) log.Info("again", "cat");
            Assert.Equal(10, Written(log, sink).Count);
        }
    }

    [Fact]
    public void Line_written_sees_the_lines_in_order_after_verb_and_mute()
    {
        var (log, _) = Log(verb: 1, mute: 1);
        using (log)
        {
            var seen = new List<string>();
            log.LineWritten += (_, text) => seen.Add(text);
            log.Info("one", "c");
            log.Info("two", "c");
            log.Debug("debug");

            Assert.Equal(["one", "NOTE: --mute triggered..."], seen);
        }
    }

    [Fact]
    public void Each_line_carries_the_time_it_was_logged_and_its_level()
    {
        var (log, sink) = Log();
        using (log)
        {
            var before = DateTime.Now;
            log.Fatal("fatal: it broke");
            Assert.True(log.Flush());
            var entry = Assert.Single(sink.Entries);
            Assert.Equal(0, entry.Level);
            Assert.InRange(entry.Time, before, DateTime.Now);
        }
    }

    [Fact]
    public void Lines_lost_to_a_full_queue_are_exposed()
    {
        var sink = new RecordingSink();
        using var log = new ServerLog(3, 0, sink, queueCapacity: 2);
        sink.Hold();
        log.Info("first");
        Assert.True(sink.Entered.Wait(TimeSpan.FromSeconds(10)));
        for (int i = 0; i < 10; i++) log.Info($"line {i}");

        Assert.Equal(8, log.LinesDropped);
        sink.Release();
    }
}
