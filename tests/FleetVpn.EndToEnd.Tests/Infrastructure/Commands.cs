using System.Diagnostics;

namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Runs short commands to completion with a time limit (a command that overruns is killed by
/// its PID), in the host namespace or, through <c>ip netns exec</c>, in a test namespace.
/// </summary>
public static class Commands
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Runs <paramref name="argv"/> inside network namespace <paramref name="ns"/>.</summary>
    public static Task<CommandResult> Exec(string ns, params string[] argv) =>
        Exec(ns, DefaultTimeout, argv);

    /// <summary>Runs <paramref name="argv"/> inside network namespace <paramref name="ns"/>.</summary>
    public static Task<CommandResult> Exec(string ns, TimeSpan timeout, params string[] argv)
    {
        if (argv.Length == 0) throw new ArgumentException("empty command", nameof(argv));
        var full = new List<string> { "netns", "exec", ns, Tools.Resolve(argv[0]) };
        full.AddRange(argv.Skip(1));
        return RunAsync(Tools.Resolve("ip"), full, timeout);
    }

    /// <summary>Runs <c>ip ARGS</c> in the host namespace (namespace and link management only).</summary>
    public static Task<CommandResult> Ip(params string[] args) => RunAsync(Tools.Resolve("ip"), args, DefaultTimeout);

    /// <summary>
    /// <see cref="Ip"/> for synchronous callers (Dispose, process exit): runs on the thread pool,
    /// so that blocking cannot deadlock on a test framework's synchronization context.
    /// </summary>
    public static CommandResult? IpBlocking(TimeSpan wait, params string[] args)
    {
        var task = Task.Run(() => Ip(args));
        return task.Wait(wait) ? task.Result : null;
    }

    /// <summary>Like <see cref="Ip"/>, but throws with the command's output when it fails.</summary>
    public static async Task IpChecked(params string[] args)
    {
        var result = await Ip(args);
        if (!result.Succeeded) throw new InvalidOperationException(result.ToString());
    }

    public static async Task<CommandResult> RunAsync(string file, IEnumerable<string> args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        var commandLine = file + " " + string.Join(' ', psi.ArgumentList);

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {commandLine}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            ProcessKiller.Kill(process.Id);
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
            throw new TimeoutException($"`{commandLine}` did not finish within {timeout.TotalSeconds:0.#} s and was killed\n"
                                       + $"--- stdout ---\n{await stdout}\n--- stderr ---\n{await stderr}");
        }
        return new CommandResult(commandLine, process.ExitCode, await stdout, await stderr);
    }
}
