using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using FleetVpn.EndToEnd.Tests.Infrastructure;

namespace FleetVpn.EndToEnd.Tests;

/// <summary>
/// The process directives with real clients: `daemon` + `writepid` + `log` (the server detaches, its pid file names
/// a live process, its log file has the client's connect line with CN/address, SIGTERM to that pid ends it), systemd's
/// notify protocol (a unix datagram socket of the test's own as NOTIFY_SOCKET), and `cd` with relative paths.
/// </summary>
public sealed partial class ProcessControlTests(E2EFixture env, ITestOutputHelper output) : IClassFixture<E2EFixture>
{
    private const int SIGHUP = 1;

    [Fact]
    public async Task Daemon_with_writepid_and_log_detaches_serves_a_client_and_stops_on_sigterm()
    {
        if (env.ServerKind != ServerKind.FleetVpn)
        {
            output.WriteLine("the stock server forks before it is ready and logs other lines: this test is FleetVPN's");
            return;
        }
        var directory = Directory.CreateDirectory(Path.Combine(env.TempDirectory, "daemon")).FullName;
        var pidFile = Path.Combine(directory, "fleetvpn.pid");
        var logFile = Path.Combine(directory, "fleetvpn.log");
        var configPath = Path.Combine(directory, "server.conf");
        var config = new ServerConfig { Extra = ["daemon fleetvpn-e2e", $"writepid {pidFile}", $"log {logFile}"] };
        File.WriteAllText(configPath, config.Render(env.Pki, env.Namespaces.ServerAddress, Path.Combine(directory, "status.log")));

        // The command returns once the detached server is up, with 0, and lets go of our pipes.
        var started = await Commands.RunAsync(Tools.Resolve("ip"), ServerProcess.FleetVpnInNamespace(env.Namespaces.Server, "serve", "--config", configPath),
            TimeSpan.FromSeconds(90));
        output.WriteLine(started.ToString());
        Assert.True(started.Succeeded, $"fleetvpn serve with daemon did not report a start.\n{started}\n{Tail(logFile)}");

        int pid = int.Parse(File.ReadAllText(pidFile).Trim());
        CleanupRegistry.AddProcess(pid, "fleetvpn daemon");
        try
        {
            Assert.True(IsRunning(pid), $"the pid file names {pid}, which is not running.\n{Tail(logFile)}");
            // A session of its own and no controlling terminal, as after daemon(3).
            var stat = Stat(pid);
            Assert.Equal(pid, stat.Session);
            Assert.Equal(0, stat.TerminalNumber);
            Assert.Contains("serve", File.ReadAllText($"/proc/{pid}/cmdline"));
            Assert.Equal("/", ReadLink($"/proc/{pid}/cwd"));
            Assert.Contains(ServerProcess.ReadyLine, File.ReadAllText(logFile));

            await using (var client = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1 }))
            {
                var connect = await WaitForFileLineAsync(logFile, l => ConnectLine().IsMatch(l), TimeSpan.FromSeconds(15));
                Assert.True(connect is not null, $"no 'client1/ADDRESS:PORT connected' line in {logFile}.\n{Tail(logFile)}");
                output.WriteLine($"connect line: {connect}");
                Assert.Contains($"client1/{env.Namespaces.ClientAddress}:", connect);
                var ping = await Net.PingAsync(client.Namespace, Net.ServerTunnelAddress);
                Assert.True(ping.Succeeded, $"the client cannot ping the daemon's tunnel address.\n{ping}\n{Tail(logFile)}");
            }

            Assert.Equal(0, LibC.kill(pid, LibC.SIGTERM));
            var deadline = Stopwatch.StartNew();
            while (IsRunning(pid) && deadline.Elapsed < TimeSpan.FromSeconds(20)) await Task.Delay(100);
            Assert.False(IsRunning(pid), $"process {pid} still runs 20 s after SIGTERM.\n{Tail(logFile)}");
            CleanupRegistry.RemoveProcess(pid);
            Assert.False(File.Exists(pidFile), "the pid file outlived the process");
            Assert.Contains("SIGTERM[hard,] received, process exiting", File.ReadAllText(logFile));
        }
        finally
        {
            if (IsRunning(pid)) ProcessKiller.Kill(pid);
            output.WriteLine($"--- {logFile} ---\n{Tail(logFile, 200)}");
        }
    }

    [Fact]
    public async Task A_start_up_failure_under_daemon_is_reported_by_the_starting_process()
    {
        if (env.ServerKind != ServerKind.FleetVpn) return;
        // The configuration parses, but the server cannot start: its management port is taken.
        const int managementPort = 17505;
        using var squatter = NamespaceSockets.Tcp(env.Namespaces.Server);
        squatter.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, managementPort));
        squatter.Listen();
        var configPath = Path.Combine(env.TempDirectory, "daemon-failing.conf");
        var config = new ServerConfig { Extra = ["daemon", $"management 127.0.0.1 {managementPort}"] };
        File.WriteAllText(configPath, config.Render(env.Pki, env.Namespaces.ServerAddress, Path.Combine(env.TempDirectory, "daemon-failing-status.log")));

        var started = await Commands.RunAsync(Tools.Resolve("ip"), ServerProcess.FleetVpnInNamespace(env.Namespaces.Server, "serve", "--config", configPath),
            TimeSpan.FromSeconds(90));
        output.WriteLine(started.ToString());

        // The detached copy's exit code and error, on the terminal the two shared.
        Assert.Equal(2, started.ExitCode);
        Assert.Contains($"fatal: management 127.0.0.1:{managementPort}: ", started.StandardError);
    }

    [Fact]
    public async Task Systemd_hears_ready_status_reloading_and_stopping()
    {
        var socketDirectory = Directory.CreateDirectory(Path.Combine(env.TempDirectory, "notify")).FullName;
        var socketPath = Path.Combine(socketDirectory, "systemd-notify");
        using var systemd = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        systemd.Bind(new UnixDomainSocketEndPoint(socketPath));
        var received = new List<string>();

        await using var server = await env.StartServerAsync(output, new ServerConfig { Extra = ["explicit-exit-notify"] },
            environment: new Dictionary<string, string> { ["NOTIFY_SOCKET"] = socketPath });

        var ready = await ReceiveAsync(systemd, received, m => m.Split('\n').Contains("READY=1"), TimeSpan.FromSeconds(10));
        Assert.True(ready is not null, $"no READY=1 on NOTIFY_SOCKET; received [{string.Join(" | ", received)}].\n{server.Process.Describe()}");
        if (server.Kind != ServerKind.FleetVpn)
        {
            output.WriteLine($"stock server: {string.Join(" | ", received)}");
            return;
        }
        Assert.Equal("READY=1\nSTATUS=0 clients connected", ready);

        await using var client = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1 });
        var status = await ReceiveAsync(systemd, received, m => m == "STATUS=1 clients connected", TimeSpan.FromSeconds(25));
        Assert.True(status is not null, $"no 'STATUS=1 clients connected' within 25 s; received [{string.Join(" | ", received)}]");

        // SIGHUP: RELOADING=1 with the monotonic clock, then READY=1 once the new run serves.
        Assert.Equal(0, LibC.kill(server.Process.Pid, SIGHUP));
        var reloading = await ReceiveAsync(systemd, received, m => m.StartsWith("RELOADING=1\n", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        Assert.True(reloading is not null, $"no RELOADING=1 after SIGHUP; received [{string.Join(" | ", received)}]");
        Assert.Matches(@"^RELOADING=1\nMONOTONIC_USEC=\d+$", reloading);
        var readyAgain = await ReceiveAsync(systemd, received, m => m.StartsWith("READY=1", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.True(readyAgain is not null, $"no READY=1 after the reload; received [{string.Join(" | ", received)}].\n{server.Process.Describe()}");

        await server.StopAsync(TimeSpan.FromSeconds(10));
        var stopping = await ReceiveAsync(systemd, received, m => m == "STOPPING=1", TimeSpan.FromSeconds(5));
        Assert.True(stopping is not null, $"no STOPPING=1 on SIGTERM; received [{string.Join(" | ", received)}]");
        output.WriteLine($"notifications: {string.Join(" | ", received).Replace("\n", "\\n")}");
    }

    [Fact]
    public async Task Cd_resolves_the_relative_paths_after_it_and_becomes_the_process_directory()
    {
        // Relative `cd` (against the directory the server starts in), then relative ca/cert/key/status/writepid.
        var directory = Directory.CreateDirectory(Path.Combine(env.TempDirectory, "cd-target")).FullName;
        File.Copy(env.Pki.CaPath, Path.Combine(directory, "ca.crt"), overwrite: true);
        File.Copy(env.Pki.Server.CertificatePath, Path.Combine(directory, "server.crt"), overwrite: true);
        File.Copy(env.Pki.Server.KeyPath, Path.Combine(directory, "server.key"), overwrite: true);
        var configPath = Path.Combine(env.TempDirectory, "server-cd.conf");
        File.WriteAllText(configPath, $"""
            cd cd-target
            proto udp
            port {ServerConfig.DefaultPort}
            dev tun
            topology subnet
            server 10.8.0.0 255.255.255.0
            keepalive 10 120
            persist-tun
            ca ca.crt
            cert server.crt
            key server.key
            dh none
            data-ciphers {ServerConfig.AllCiphers}
            remote-cert-tls client
            status status.log 1
            writepid server.pid
            explicit-exit-notify
            verb 3

            """);

        await using var server = await ServerProcess.StartAsync(env.ServerKind, env.Namespaces.Server, configPath, env.TempDirectory, output,
            E2EFixture.ServerReadyTimeout);
        await using var client = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1 });

        Assert.Equal(directory, ReadLink($"/proc/{server.Process.Pid}/cwd"));
        Assert.Equal(server.Process.Pid.ToString(), File.ReadAllText(Path.Combine(directory, "server.pid")).Trim());
        var statusLine = await WaitForFileLineAsync(Path.Combine(directory, "status.log"), l => l.Contains("client1", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.True(statusLine is not null, $"{directory}/status.log never listed client1.\n{server.Process.Describe()}");

        if (server.Kind != ServerKind.FleetVpn) return; // openvpn reads a relative `cd` again from the directory it moved to
        // The server re-executed itself once, with its memory settings from the start, and kept its PID (writepid
        // named it above), its directory and its arguments.
        var environment = File.ReadAllText($"/proc/{server.Process.Pid}/environ").Split('\0');
        Assert.Contains("MALLOC_ARENA_MAX=2", environment);
        Assert.Contains("DOTNET_GCGen0MaxBudget=800000", environment);
        // The runtime's diagnostics socket (dotnet-counters, dotnet-gcdump) answers: the re-executed image made it again.
        var diagnostics = Directory.GetFiles(Path.GetTempPath(), $"dotnet-diagnostic-{server.Process.Pid}-*-socket");
        Assert.Single(diagnostics);
        using (var probe = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified))
            probe.Connect(new System.Net.Sockets.UnixDomainSocketEndPoint(diagnostics[0]));
        // A SIGHUP reads the same file again, now from inside DIR: the relative paths still name the same files (else a
        // configuration error is logged and nothing reloads); a SIGUSR1 restart with what it read serves again.
        var mark = server.Log.Count;
        Assert.Equal(0, LibC.kill(server.Process.Pid, SIGHUP));
        var reloaded = await server.Process.WaitForLineAsync(
            l => l.Contains("configuration reloaded without a restart", StringComparison.Ordinal), TimeSpan.FromSeconds(30), mark);
        Assert.True(reloaded is not null, $"the SIGHUP reload did not take.\n{server.Process.Describe(100)}");
        await SignalTests.RestartAsync(server, client, SignalTests.SIGUSR1, output);
        Assert.Equal(directory, ReadLink($"/proc/{server.Process.Pid}/cwd"));
    }

    /// <summary>"client1/10.77.N.2:PORT connected, assigned ..." after the log file's time stamp.</summary>
    [GeneratedRegex(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d client1/\d+\.\d+\.\d+\.\d+:\d+ connected, assigned ")]
    private static partial Regex ConnectLine();

    /// <summary>Running, not a zombie waiting for a parent that does not reap it.</summary>
    private static bool IsRunning(int pid)
    {
        try { return Stat(pid).State != 'Z'; }
        catch (IOException) { return false; }
    }

    /// <summary>Fields 3, 6 and 7 of /proc/PID/stat: state, session id, controlling terminal.</summary>
    private static (char State, int Session, int TerminalNumber) Stat(int pid)
    {
        var text = File.ReadAllText($"/proc/{pid}/stat");
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' '); // after "PID (comm) "
        return (fields[0][0], int.Parse(fields[3]), int.Parse(fields[4]));
    }

    private static string? ReadLink(string path) => new FileInfo(path).LinkTarget;

    private static string Tail(string path, int lines = 60) =>
        File.Exists(path) ? string.Join('\n', File.ReadAllLines(path).TakeLast(lines)) : $"({path} does not exist)";

    private static async Task<string?> WaitForFileLineAsync(string path, Func<string, bool> match, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (File.Exists(path))
            {
                using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
                while (await reader.ReadLineAsync() is { } line)
                    if (match(line)) return line;
            }
            await Task.Delay(200);
        }
        return null;
    }

    /// <summary>Receives datagrams (each added to <paramref name="received"/>) until one matches; null after <paramref name="timeout"/>.</summary>
    private static async Task<string?> ReceiveAsync(Socket socket, List<string> received, Func<string, bool> match, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                int length = await socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token);
                var message = Encoding.UTF8.GetString(buffer, 0, length);
                received.Add(message);
                if (match(message)) return message;
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }
}
