using System.Net.Sockets;
using System.Text;
using FleetVpn.Server.Logging;

namespace FleetVpn.Server.Tests.Logging;

/// <summary>RFC 3164 messages as glibc's syslog(3) sends them on /dev/log, and the sink that sends them.</summary>
public sealed class SyslogTests
{
    [Fact]
    public void A_message_has_priority_timestamp_tag_and_pid()
    {
        var entry = new LogEntry(new DateTime(2026, 11, 9, 8, 5, 3), 1, "client1/10.77.0.2:43651 connected");

        // daemon.info = 3*8+6 = 30; the day is padded with a space, the month is English.
        Assert.Equal("<30>Nov  9 08:05:03 fleetvpn[4242]: client1/10.77.0.2:43651 connected", SyslogMessage.Format(entry, "fleetvpn", 4242));
    }

    [Fact]
    public void Two_digit_days_are_not_padded_and_lines_stay_one_line()
    {
        var entry = new LogEntry(new DateTime(2026, 1, 23, 23, 59, 59), 1, "two\nlines\r");

        Assert.Equal("<30>Jan 23 23:59:59 vpn-east[1]: two lines ", SyslogMessage.Format(entry, "vpn-east", 1));
    }

    [Theory]
    [InlineData(0, "fatal: boom", 3)]      // LOG_ERR
    [InlineData(1, "WARNING: kernel limits", 4)] // LOG_WARNING
    [InlineData(1, "Initialization Sequence Completed", 6)] // LOG_INFO
    [InlineData(3, "client1/1.2.3.4:5 TLS established", 6)]
    [InlineData(4, "client1/1.2.3.4:5 PUSH_REQUEST", 7)] // LOG_DEBUG
    public void Severity_follows_the_level_and_warnings(int level, string text, int severity)
    {
        Assert.Equal(severity, SyslogMessage.Severity(level, text));
        Assert.StartsWith($"<{3 * 8 + severity}>", SyslogMessage.Format(new LogEntry(DateTime.Now, level, text), "t", 1));
    }

    [Fact]
    public void The_sink_sends_one_datagram_per_line_to_the_socket()
    {
        var directory = Directory.CreateTempSubdirectory("fleetvpn-syslog-test-");
        try
        {
            var path = Path.Combine(directory.FullName, "log");
            using var daemon = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            daemon.Bind(new UnixDomainSocketEndPoint(path));
            Assert.True(SyslogSink.IsReachable(path, out _));

            using (var log = new ServerLog(3, 0, new SyslogSink("fleet-test", path)))
            {
                log.Info("first line");
                log.Info("WARNING: second line");
                Assert.True(log.Flush());
                Assert.Equal(0, log.LinesDropped);
            }

            var buffer = new byte[2048];
            daemon.ReceiveTimeout = 10_000;
            var first = Encoding.UTF8.GetString(buffer, 0, daemon.Receive(buffer));
            var second = Encoding.UTF8.GetString(buffer, 0, daemon.Receive(buffer));
            Assert.Matches(@"^<30>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d fleet-test\[" + Environment.ProcessId + @"\]: first line$", first);
            Assert.EndsWith($"fleet-test[{Environment.ProcessId}]: WARNING: second line", second);
            Assert.StartsWith("<28>", second);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Lines_that_cannot_reach_syslog_are_counted_as_dropped()
    {
        var path = Path.Combine(Path.GetTempPath(), $"fleetvpn-no-syslog-{Guid.NewGuid():N}");
        Assert.False(SyslogSink.IsReachable(path, out var reason));
        Assert.NotEmpty(reason);

        using var log = new ServerLog(3, 0, new SyslogSink("t", path));
        log.Info("nobody listens");
        log.Info("still nobody");
        Assert.True(log.Flush());

        Assert.Equal(2, log.LinesDropped);
    }
}
