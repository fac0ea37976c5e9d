using System.Diagnostics;

namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A long-running process this harness started (a server or an openvpn client): its output is
/// captured line by line, waits are bounded, and it is stopped by its own PID (SIGTERM, then
/// SIGKILL after a grace period). On dispose the end of its log goes to the test output.
/// </summary>
public sealed class RunningProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ITestOutputHelper? _output;
    private bool _disposed;

    private RunningProcess(string name, Process process, string commandLine, ITestOutputHelper? output)
    {
        Name = name;
        _process = process;
        CommandLine = commandLine;
        _output = output;
    }

    /// <summary>A short name for messages (e.g. "server", "client client1").</summary>
    public string Name { get; }

    public string CommandLine { get; }

    public LogCapture Log { get; } = new();

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <param name="environment">Variables added to the process's environment (e.g. NOTIFY_SOCKET), or null.</param>
    public static RunningProcess Start(string name, string file, IEnumerable<string> args, string workingDirectory, ITestOutputHelper? output,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (variable, value) in environment ?? new Dictionary<string, string>()) psi.Environment[variable] = value;
        var commandLine = file + " " + string.Join(' ', psi.ArgumentList);

        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var running = new RunningProcess(name, process, commandLine, output);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) running.Log.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) running.Log.Add(e.Data); };
        if (!process.Start()) throw new InvalidOperationException($"could not start {commandLine}");
        CleanupRegistry.AddProcess(process.Id, name);
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return running;
    }

    /// <summary>
    /// Waits until a line satisfying <paramref name="match"/> appears (returns it), the process
    /// exits without printing one, or <paramref name="timeout"/> passes (both return null).
    /// Only lines from index <paramref name="fromLine"/> on count (use <see cref="LogCapture.Count"/>
    /// taken before an event to ignore what was printed earlier, e.g. a start-up summary).
    /// </summary>
    public async Task<string?> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, int fromLine = 0)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (Log.Find(match, fromLine) is { } line) return line;
            if (_process.HasExited)
            {
                _process.WaitForExit(); // drains the redirected output
                return Log.Find(match, fromLine);
            }
            if (deadline.Elapsed >= timeout) return null;
            await Task.Delay(50);
        }
    }

    public Task<string?> WaitForTextAsync(string text, TimeSpan timeout) =>
        WaitForLineAsync(l => l.Contains(text, StringComparison.OrdinalIgnoreCase), timeout);

    /// <summary>Stops the process: SIGTERM to its PID, SIGKILL if it is still running after <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (!_process.HasExited)
        {
            ProcessKiller.Terminate(_process.Id);
            using var cts = new CancellationTokenSource(grace);
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                ProcessKiller.Kill(_process.Id);
                using var cts2 = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try { await _process.WaitForExitAsync(cts2.Token); }
                catch (OperationCanceledException) { /* reported below through the log */ }
            }
        }
        if (_process.HasExited) CleanupRegistry.RemoveProcess(_process.Id);
    }

    /// <summary>A description of the process and the end of its log, for assertion messages.</summary>
    public string Describe(int lines = 60)
    {
        var state = _process.HasExited ? $"exited with {_process.ExitCode}" : $"running as PID {_process.Id}";
        return $"{Name} ({state}): {CommandLine}\n--- last lines of its log ---\n{Log.Tail(lines)}";
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        await StopAsync(TimeSpan.FromSeconds(5));
        try
        {
            _output?.WriteLine($"===== {Describe(150)}\n");
        }
        catch (InvalidOperationException)
        {
            // No test is running any more (class fixture teardown): nowhere to write.
        }
        _process.Dispose();
    }
}
