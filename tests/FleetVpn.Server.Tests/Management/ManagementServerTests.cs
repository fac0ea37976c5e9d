using System.Net;
using System.Net.Sockets;
using System.Text;
using FleetVpn.Server.Config;
using FleetVpn.Server.Logging;
using FleetVpn.Server.Management;

namespace FleetVpn.Server.Tests.Management;

/// <summary>
/// The listener over TCP on 127.0.0.1 (no server run attached): banner, password prompt, several connections at
/// once, real-time log lines, and a connection that does not read being dropped while another goes on.
/// </summary>
public sealed class ManagementServerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly ServerLog _log = new(verb: 3, mute: 0, TextWriter.Null);

    private static ManagementEndpoint Loopback(string? password = null) => new(IPAddress.Loopback, 0, null, password);

    private sealed class Client : IDisposable
    {
        private readonly TcpClient _tcp = new();
        private readonly byte[] _buffer = new byte[65536];
        private readonly StringBuilder _received = new();

        public Client(IPEndPoint server)
        {
            _tcp.Connect(server);
            _tcp.ReceiveTimeout = (int)Patience.TotalMilliseconds;
        }

        public Socket Socket => _tcp.Client;

        public void Send(string line) => _tcp.GetStream().Write(Encoding.UTF8.GetBytes(line + "\n"));

        /// <summary>Reads until <paramref name="end"/> arrives; returns the text up to and including it and keeps the rest.</summary>
        public string ReadUntil(string end)
        {
            while (!_received.ToString().Contains(end, StringComparison.Ordinal))
            {
                int n;
                try
                {
                    n = _tcp.GetStream().Read(_buffer);
                }
                catch (IOException e)
                {
                    throw new IOException($"no \"{end}\" after: {_received}", e);
                }
                if (n == 0) break;
                _received.Append(Encoding.UTF8.GetString(_buffer, 0, n));
            }
            var all = _received.ToString();
            int stop = all.IndexOf(end, StringComparison.Ordinal);
            if (stop < 0) return all;
            _received.Clear().Append(all[(stop + end.Length)..]);
            return all[..(stop + end.Length)];
        }

        /// <summary>True once the server closed the connection (reads give 0 bytes or fail).</summary>
        public bool ReadToClose()
        {
            try
            {
                for (int i = 0; i < 100_000; i++)
                    if (_tcp.GetStream().Read(_buffer) == 0) return true;
                return false;
            }
            catch (IOException)
            {
                return true;
            }
        }

        public void Dispose() => _tcp.Dispose();
    }

    [Fact]
    public async Task A_connection_gets_the_banner_and_answers_with_openvpn_framing()
    {
        await using var server = ManagementServer.Start(Loopback(), _log, raiseSignal: null);
        using var client = new Client(server.LocalEndPoint!);

        Assert.Equal(ManagementCommands.Banner + "\r\n", client.ReadUntil("\r\n"));
        client.Send("pid");
        Assert.Equal($"SUCCESS: pid={Environment.ProcessId}\r\n", client.ReadUntil("\r\n"));
        client.Send("version");
        Assert.EndsWith("Management Version: 5\r\nEND\r\n", client.ReadUntil("END\r\n"));
        client.Send("quit");
        Assert.True(client.ReadToClose());
    }

    [Fact]
    public async Task A_password_is_asked_first_and_three_wrong_ones_end_the_connection()
    {
        await using var server = ManagementServer.Start(Loopback("s3cret"), _log, raiseSignal: null);
        using var good = new Client(server.LocalEndPoint!);
        using var bad = new Client(server.LocalEndPoint!);

        Assert.Equal("ENTER PASSWORD:", good.ReadUntil("ENTER PASSWORD:"));
        good.Send("s3cret");
        Assert.Equal("SUCCESS: password is correct\r\n" + ManagementCommands.Banner + "\r\n", good.ReadUntil("help' for more info\r\n"));
        good.Send("load-stats");
        Assert.Equal("SUCCESS: nclients=0,bytesin=0,bytesout=0\r\n", good.ReadUntil("\r\n"));

        Assert.Equal("ENTER PASSWORD:", bad.ReadUntil("ENTER PASSWORD:"));
        bad.Send("pid"); // a command before the password is a wrong password
        Assert.Equal("ERROR: bad password\r\nENTER PASSWORD:", bad.ReadUntil("ENTER PASSWORD:"));
        bad.Send("wrong");
        Assert.Equal("ERROR: bad password\r\nENTER PASSWORD:", bad.ReadUntil("ENTER PASSWORD:"));
        bad.Send("wrong again");
        Assert.Equal("ERROR: bad password\r\n", bad.ReadUntil("\r\n"));
        Assert.True(bad.ReadToClose());
    }

    [Fact]
    public async Task Several_connections_are_served_at_once_and_each_chooses_its_log_lines()
    {
        await using var server = ManagementServer.Start(Loopback(), _log, raiseSignal: null);
        using var first = new Client(server.LocalEndPoint!);
        using var second = new Client(server.LocalEndPoint!);
        first.ReadUntil("\r\n");
        second.ReadUntil("\r\n");

        first.Send("log on");
        Assert.Equal("SUCCESS: real-time log notification set to ON\r\n", first.ReadUntil("\r\n"));
        _log.Info("a line for the log");
        second.Send("pid");

        Assert.Matches(@"^>LOG:\d+,I,a line for the log\r\n$", first.ReadUntil("a line for the log\r\n"));
        Assert.Equal($"SUCCESS: pid={Environment.ProcessId}\r\n", second.ReadUntil("\r\n"));
        second.Send("log all");
        Assert.Contains(",I,a line for the log\r\n", second.ReadUntil("END\r\n"));
    }

    [Fact]
    public async Task Fifty_connections_at_once_each_get_their_own_answers()
    {
        await using var server = ManagementServer.Start(Loopback(), _log, raiseSignal: null);
        var clients = Enumerable.Range(0, 50).Select(_ => new Client(server.LocalEndPoint!)).ToList();
        try
        {
            foreach (var client in clients) client.ReadUntil("\r\n");
            Assert.Equal(50, server.ConnectionCount);
            for (int i = 0; i < clients.Count; i++) clients[i].Send($"verb {i % 5}x");
            foreach (var client in clients) Assert.Equal("SUCCESS: verb level changed\r\n", client.ReadUntil("\r\n"));
            foreach (var client in clients) client.Send("nclients");
            foreach (var client in clients)
                Assert.Equal("ERROR: The 'nclients' command is not supported by the current daemon mode\r\n", client.ReadUntil("\r\n"));
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }
    }

    [Fact]
    public async Task A_connection_that_does_not_read_is_dropped_and_the_others_go_on()
    {
        await using var server = ManagementServer.Start(Loopback(), _log, raiseSignal: null, maxPendingChars: 64 * 1024);
        using var stalled = new Client(server.LocalEndPoint!);
        using var reader = new Client(server.LocalEndPoint!);
        stalled.Socket.ReceiveBufferSize = 4096;
        stalled.ReadUntil("\r\n");
        reader.ReadUntil("\r\n");
        stalled.Send("log on");
        stalled.ReadUntil("\r\n");

        // Far more than the kernel's socket buffers and the 64 KB bound: the stalled connection cannot keep it all.
        var line = new string('x', 1000);
        for (int i = 0; i < 20_000 && server.ConnectionCount == 2; i++) _log.Info($"{i} {line}");

        for (int i = 0; i < 200 && server.ConnectionCount != 1; i++) await Task.Delay(50);
        Assert.Equal(1, server.ConnectionCount);
        reader.Send("pid");
        Assert.Equal($"SUCCESS: pid={Environment.ProcessId}\r\n", reader.ReadUntil("\r\n"));
        Assert.True(stalled.ReadToClose());
    }
}
