using System.Runtime.InteropServices;
using FleetVpn.Server.Logging;
using FleetVpn.Server.Management;
using FleetVpn.Server.Status;

namespace FleetVpn.Server.Tests.Management;

/// <summary>Each command's reply, framed as OpenVPN 2.6's management interface frames it (texts from a real openvpn 2.6.14).</summary>
public sealed class ManagementCommandsTests
{
    private readonly FakeManagementTarget _target = new();
    private readonly ServerLog _log = new(verb: 3, mute: 0, TextWriter.Null);
    private readonly ManagementLogHistory _history = new(capacity: 3);
    private readonly List<PosixSignal> _signals = [];
    private readonly ManagementConnectionState _state = new();
    private bool _running = true;

    private string Run(string line) =>
        new ManagementCommands(() => _running ? _target : null, _log, _history, _signals.Add).Execute(line, _state);

    private static string Lines(params string[] lines) => string.Concat(lines.Select(l => l + "\r\n"));

    [Fact]
    public void Version_lists_the_title_and_management_version_5_then_END()
    {
        Assert.Equal(Lines($"OpenVPN Version: {ServerTitle.Text}", "Management Version: 5", "END"), Run("version"));
        Assert.Equal(Lines("SUCCESS: Management client version set to 3"), Run("version 3"));
    }

    [Fact]
    public void Help_names_every_command_and_ends_with_END()
    {
        var help = Run("help");
        Assert.StartsWith($"Management Interface for {ServerTitle.Text}\r\nCommands:\r\n", help);
        Assert.EndsWith("\r\nEND\r\n", help);
        foreach (var command in new[] { "bytecount", "client-kill", "exit|quit", "kill cn", "kill IP:port", "load-stats", "log", "mute", "nclients", "pid", "signal", "status", "verb", "version" })
            Assert.Contains("\r\n" + command, help);
    }

    [Fact]
    public void Pid_and_load_stats_answer_on_one_SUCCESS_line()
    {
        Assert.Equal(Lines($"SUCCESS: pid={Environment.ProcessId}"), Run("pid"));
        Assert.Equal(Lines("SUCCESS: nclients=2,bytesin=3382,bytesout=3598"), Run("load-stats"));
        Assert.Equal(Lines("SUCCESS: nclients=2"), Run("nclients"));
    }

    [Fact]
    public void Status_prints_the_asked_version_or_the_configured_one_with_CRLF_lines()
    {
        _target.DefaultStatusVersion = 3;
        var version2 = Run("status 2");
        var configured = Run("status");

        Assert.StartsWith($"TITLE,{ServerTitle.Text}\r\n", version2);
        Assert.Contains("\r\nCLIENT_LIST,client1,10.79.0.2:60476,10.8.0.2,,3282,3398,", version2);
        Assert.EndsWith("\r\nEND\r\n", version2);
        Assert.StartsWith("TITLE\t", configured);
        Assert.StartsWith("OpenVPN CLIENT LIST\r\n", Run("status 1"));
        Assert.Equal(Lines("ERROR: bad status format version number"), Run("status 4"));
    }

    [Fact]
    public void Kill_by_common_name_and_by_address()
    {
        Assert.Equal(Lines("SUCCESS: common name 'client1' found, 1 client(s) killed"), Run("kill client1"));
        Assert.Equal(Lines("ERROR: common name 'client1' not found"), Run("kill client1"));
        Assert.Equal(Lines("SUCCESS: 1 client(s) at address 10.79.0.3:40000 killed"), Run("kill 10.79.0.3:40000"));
        Assert.Equal(Lines("ERROR: client at address 1.2.3.4:5 not found"), Run("kill 1.2.3.4:5"));
        Assert.Equal(Lines("ERROR: client at address 1.2.3.4:5 not found"), Run("kill udp:1.2.3.4:5"));
        Assert.Equal(Lines("ERROR: error parsing IP address: host"), Run("kill host:5"));
        Assert.Equal(Lines("ERROR: port number or protocol out of range: 0 udp"), Run("kill 1.2.3.4:0"));
        Assert.Equal(Lines("ERROR: the 'kill' command requires 1 parameter"), Run("kill"));
        Assert.Equal(["client1 RESTART", "client2 RESTART"], _target.Killed);
    }

    [Fact]
    public void Client_kill_sends_RESTART_or_the_given_message()
    {
        Assert.Equal(Lines("SUCCESS: client-kill command succeeded"), Run("client-kill 7 HALT"));
        Assert.Equal(Lines("SUCCESS: client-kill command succeeded"), Run("client-kill 0"));
        Assert.Equal(Lines("ERROR: client-kill command failed"), Run("client-kill 99"));
        Assert.Equal(Lines("ERROR: cannot parse CID"), Run("client-kill x"));
        Assert.Equal(Lines("ERROR: the 'client-kill' command requires at least 1 parameter"), Run("client-kill"));
        Assert.Equal(["client2 HALT", "client1 RESTART"], _target.Killed);
    }

    [Fact]
    public void Signals_are_raised_SIGUSR2_logs_the_status_and_unknown_ones_are_refused()
    {
        Assert.Equal(Lines("SUCCESS: signal SIGHUP thrown"), Run("signal SIGHUP"));
        Assert.Equal(Lines("SUCCESS: signal SIGTERM thrown"), Run("signal SIGTERM"));
        Assert.Equal(Lines("SUCCESS: signal SIGUSR1 thrown"), Run("signal SIGUSR1"));
        Assert.Equal(Lines("SUCCESS: signal SIGUSR2 thrown"), Run("signal SIGUSR2"));
        Assert.Equal(Lines("ERROR: signal 'FOO' is not a known signal type"), Run("signal FOO"));

        Assert.Equal([PosixSignal.SIGHUP, PosixSignal.SIGTERM, ManagementCommands.SIGUSR1], _signals);
        Assert.Equal(1, _target.StatusLogged);
    }

    [Fact]
    public void Verb_and_mute_show_and_change_the_log()
    {
        Assert.Equal(Lines("SUCCESS: verb=3"), Run("verb"));
        Assert.Equal(Lines("SUCCESS: verb level changed"), Run("verb 5"));
        Assert.Equal(5, _log.Verb);
        Assert.Equal(Lines("SUCCESS: mute=0"), Run("mute"));
        Assert.Equal(Lines("SUCCESS: mute level changed"), Run("mute 20"));
        Assert.Equal(20, _log.Mute);
        Assert.Equal(Lines("ERROR: verb level is out of range"), Run("verb -1"));
    }

    [Fact]
    public void Log_switches_real_time_lines_and_shows_the_history()
    {
        _history.Add(">LOG:1,I,one\r\n");
        _history.Add(">LOG:2,I,two\r\n");
        _history.Add(">LOG:3,I,three\r\n");
        _history.Add(">LOG:4,D,four\r\n");

        Assert.Equal(Lines("SUCCESS: real-time log notification set to ON"), Run("log on"));
        Assert.True(_state.LogRealtime);
        Assert.Equal(Lines(">LOG:2,I,two", ">LOG:3,I,three", ">LOG:4,D,four", "END"), Run("log all"));
        Assert.Equal(Lines(">LOG:4,D,four", "END"), Run("log 1"));
        Assert.Equal(Lines("SUCCESS: real-time log notification set to OFF", ">LOG:3,I,three", ">LOG:4,D,four", "END"), Run("log off 2"));
        Assert.False(_state.LogRealtime);
        Assert.Equal(Lines("ERROR: log parameter must be 'on' or 'off' or some number n or 'all'"), Run("log maybe"));
    }

    [Fact]
    public void Bytecount_sets_the_interval()
    {
        Assert.Equal(Lines("SUCCESS: bytecount interval changed"), Run("bytecount 5"));
        Assert.Equal(5, _state.BytecountSeconds);
        Assert.Equal(Lines("SUCCESS: bytecount interval changed"), Run("bytecount 0"));
        Assert.Equal(0, _state.BytecountSeconds);
        Assert.Equal(Lines("ERROR: the 'bytecount' command requires 1 parameter"), Run("bytecount"));
    }

    [Fact]
    public void Quit_and_exit_end_the_connection_without_a_reply()
    {
        Assert.Equal("", Run("quit"));
        Assert.True(_state.Quit);
    }

    [Fact]
    public void Unknown_commands_and_commands_without_a_running_server_are_errors()
    {
        Assert.Equal(Lines("ERROR: unknown command, enter 'help' for more options"), Run("foo"));
        _running = false;
        Assert.Equal(Lines("ERROR: The 'status' command is not supported by the current daemon mode"), Run("status"));
        Assert.Equal(Lines("SUCCESS: nclients=0,bytesin=0,bytesout=0"), Run("load-stats"));
    }

    [Theory]
    [InlineData(1, "Alice connected", ">LOG:1795935277,I,Alice connected\r\n")]
    [InlineData(3, "TLS detail", ">LOG:1795935277,D,TLS detail\r\n")]
    [InlineData(1, "WARNING: max-clients", ">LOG:1795935277,W,WARNING: max-clients\r\n")]
    public void Log_lines_carry_time_flags_and_text(int level, string message, string expected)
    {
        Assert.Equal(expected, ManagementCommands.FormatLogLine(level, message, DateTimeOffset.FromUnixTimeSeconds(1795935277)));
    }
}
