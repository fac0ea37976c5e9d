using FleetVpn.Server.Config;
using static FleetVpn.Server.Tests.Config.ConfigTestFiles;

namespace FleetVpn.Server.Tests.Config;

/// <summary>`daemon`, `syslog`, `log`, `log-append`, `writepid` and `cd`: how the process runs and where it logs.</summary>
public sealed class ProcessDirectiveTests : IDisposable
{
    private const int FirstExtraLine = 5;
    private readonly TemporaryDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Without_them_the_log_goes_to_standard_output_and_nothing_detaches()
    {
        var process = Parse(Minimal).Process;

        Assert.False(process.Daemon);
        Assert.Equal(LogDestination.StandardOutput, process.LogDestination);
        Assert.Null(process.PidFile);
        Assert.Null(process.Directory);
    }

    [Theory]
    [InlineData("daemon", "fleetvpn")]
    [InlineData("daemon vpn-east", "vpn-east")]
    public void Daemon_logs_to_syslog_under_its_name(string line, string tag)
    {
        var process = Parse(Minimal + line + "\n").Process;

        Assert.True(process.Daemon);
        Assert.Equal(LogDestination.Syslog, process.LogDestination);
        Assert.Equal(tag, process.SyslogTag);
    }

    [Fact]
    public void Syslog_without_daemon_logs_to_syslog_in_the_foreground()
    {
        var process = Parse(Minimal + "syslog edge\n").Process;

        Assert.False(process.Daemon);
        Assert.Equal(LogDestination.Syslog, process.LogDestination);
        Assert.Equal("edge", process.SyslogTag);
    }

    [Theory]
    [InlineData("log", false)]
    [InlineData("log-append", true)]
    public void A_log_file_wins_over_syslog_and_resolves_against_the_directory(string directive, bool append)
    {
        var process = Parse(Minimal + $"daemon\n{directive} fleet.log\n").Process;

        Assert.Equal(LogDestination.File, process.LogDestination);
        Assert.Equal(Path.Combine(KeysDirectory, "fleet.log"), process.LogFile);
        Assert.Equal(append, process.LogAppend);
    }

    [Fact]
    public void Cd_moves_the_base_of_the_paths_after_it_and_is_recorded()
    {
        var sub = Directory.CreateDirectory(Path.Combine(_temp.Path, "run")).FullName;
        var options = ServerConfigParser.ParseText(
            $"cd {KeysDirectory}\n{Minimal}cd {_temp.Path}\nwritepid run/fleetvpn.pid\nlog run/fleetvpn.log\n", "server.conf", null, "/");

        Assert.Equal(_temp.Path, options.Process.Directory);
        Assert.Equal(Path.Combine(sub, "fleetvpn.pid"), options.Process.PidFile);
        Assert.Equal(Path.Combine(sub, "fleetvpn.log"), options.Process.LogFile);
    }

    [Fact]
    public void The_command_line_can_add_them()
    {
        var process = Parse(Minimal, "--daemon", "--writepid", "/tmp/fleetvpn-test.pid").Process;

        Assert.True(process.Daemon);
        Assert.Equal("/tmp/fleetvpn-test.pid", process.PidFile);
    }

    [Theory]
    [InlineData("daemon a b", "expects 0 to 1 arguments, got 2")]
    [InlineData("daemon bad:name", "'bad:name' is not a syslog tag (at most 32 printable characters, no '[', ']' or ':')")]
    [InlineData("syslog x[1]", "'x[1]' is not a syslog tag (at most 32 printable characters, no '[', ']' or ':')")]
    [InlineData("log", "expects 1 argument, got 0")]
    [InlineData("writepid a b", "expects 1 argument, got 2")]
    public void Bad_lines_are_refused_with_file_line_and_directive(string line, string reason)
    {
        AssertRefusedAt(Minimal + line + "\n", FirstExtraLine, line, reason);
    }

    [Fact]
    public void A_file_in_a_missing_directory_is_refused_at_its_line()
    {
        var missing = Path.Combine(_temp.Path, "nowhere", "fleet.log");
        var line = $"log-append {missing}";

        AssertRefusedAt(Minimal + line + "\n", FirstExtraLine, line,
            $"cannot use {missing} as the log file: its directory {Path.GetDirectoryName(missing)} does not exist");
    }

    [Fact]
    public void A_directory_is_not_a_pid_file()
    {
        var line = $"writepid {_temp.Path}";

        AssertRefusedAt(Minimal + line + "\n", FirstExtraLine, line, $"cannot use {_temp.Path} as the pid file: Is a directory");
    }
}
