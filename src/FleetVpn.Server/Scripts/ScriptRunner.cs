using System.ComponentModel;
using System.Diagnostics;
using FleetVpn.Server.Logging;

namespace FleetVpn.Server.Scripts;

/// <summary>
/// Runs the user scripts (client-connect, client-disconnect, auth-user-pass-verify) off the workers: each run starts on
/// the thread pool and is awaited, so a slow script holds up only the client it is for (OpenVPN, one thread, stalls every
/// client while a script runs). At most <see cref="MaxConcurrent"/> scripts run at once (a reconnect storm must not fork
/// a process per device at the same instant); the others wait their turn. A script still running after
/// <see cref="Timeout"/> is killed (with the processes it started) and counts as a failure: its client is refused.
/// </summary>
/// <remarks>
/// A script gets the variables of <see cref="ScriptEnvironment"/> and PATH (from the server's own environment, or the
/// usual system directories), nothing else of the server's environment. Its standard output and error go where the
/// server's go.
/// </remarks>
public sealed class ScriptRunner
{
    /// <summary>How long a script may run before it is killed and its client refused: under openvpn's 60 s hand-window.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    /// <summary>Scripts running at once, at most.</summary>
    public const int MaxConcurrent = 64;

    private const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private readonly ServerLog _log;
    private readonly SemaphoreSlim _slots = new(MaxConcurrent);
    private readonly TimeSpan _timeout;
    private int _pending;

    public ScriptRunner(ServerLog log, TimeSpan? timeout = null)
    {
        _log = log;
        _timeout = timeout ?? Timeout;
    }

    /// <summary>Scripts started or waiting for a slot.</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>
    /// Runs <paramref name="command"/> with <paramref name="environment"/>, its own arguments followed by
    /// <paramref name="extraArguments"/>; never throws for the script's sake (a script that cannot start is a failure).
    /// </summary>
    /// <param name="what">Who the run is for, for the log ("client1/10.0.0.2:5000 client-connect").</param>
    /// <param name="cancellation">Kills the script early (its client went away).</param>
    public Task<ScriptOutcome> RunAsync(ScriptCommand command, IReadOnlyDictionary<string, string> environment, IReadOnlyList<string> extraArguments,
        string what, CancellationToken cancellation = default)
    {
        Interlocked.Increment(ref _pending);
        return Task.Run(async () =>
        {
            try
            {
                await _slots.WaitAsync(cancellation).ConfigureAwait(false);
                try
                {
                    return await RunCoreAsync(command, environment, extraArguments, what, cancellation).ConfigureAwait(false);
                }
                finally
                {
                    _slots.Release();
                }
            }
            catch (OperationCanceledException)
            {
                return ScriptOutcome.Failed("not run: its client went away");
            }
            finally
            {
                Interlocked.Decrement(ref _pending);
            }
        }, CancellationToken.None);
    }

    /// <summary>Waits (at most <paramref name="limit"/>) for the scripts still running, e.g. client-disconnect at shutdown.</summary>
    public async Task DrainAsync(TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (Pending > 0 && DateTime.UtcNow < deadline) await Task.Delay(50).ConfigureAwait(false);
        if (Pending > 0) _log.Info($"WARNING: {Pending} script(s) still running at shutdown, not waited for");
    }

    private async Task<ScriptOutcome> RunCoreAsync(ScriptCommand command, IReadOnlyDictionary<string, string> environment,
        IReadOnlyList<string> extraArguments, string what, CancellationToken cancellation)
    {
        var start = new ProcessStartInfo(command.Program) { UseShellExecute = false };
        foreach (var argument in command.Arguments) start.ArgumentList.Add(argument);
        foreach (var argument in extraArguments) start.ArgumentList.Add(argument);
        start.Environment.Clear();
        start.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH") is { Length: > 0 } path ? path : DefaultPath;
        foreach (var (name, value) in environment) start.Environment[name] = value;

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new Win32Exception("no process was started");
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException or IOException)
        {
            return ScriptOutcome.Failed($"could not start {command.Program}: {e.Message}");
        }
        using (process)
        {
            _log.Write(4, $"{what}: started {command.Text} (pid {process.Id})");
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            limit.CancelAfter(_timeout);
            try
            {
                await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
                return ScriptOutcome.Exited(process.ExitCode);
            }
            catch (OperationCanceledException)
            {
                Kill(process);
                return cancellation.IsCancellationRequested
                    ? ScriptOutcome.Failed("killed: its client went away")
                    : ScriptOutcome.Failed($"killed after the {_timeout.TotalSeconds:0} s script timeout");
            }
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception)
        {
            // it ended meanwhile
        }
    }
}
