using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using FleetVpn.Platform.Hosting;

namespace FleetVpn.Cli.Commands;

/// <summary>
/// `daemon`: OpenVPN forks and its child carries on; the .NET runtime cannot fork once its threads run, so the
/// process that reads `daemon` starts a second copy of itself, same executable, arguments, directory and
/// environment, plus <see cref="ReadySocketVariable"/>: the path of a unix datagram socket on which the first waits.
/// The copy makes itself a session leader (setsid: no controlling terminal), serves, and once the server is up sends
/// "READY=1" there (the sd_notify message) and points its standard streams at /dev/null. Until then the first
/// process passes the copy's output on to its own; it exits 0 at READY=1, or, when the copy exits before it is
/// ready, with the copy's exit code (after its error messages).
/// </summary>
internal static class ServeDaemon
{
    /// <summary>Set only in the detached copy: where it reports that it is ready.</summary>
    public const string ReadySocketVariable = "FLEETVPN_DAEMON_READY_SOCKET";

    /// <summary>The socket of the waiting parent when this process is the detached copy; null otherwise.</summary>
    public static string? ParentReadySocket =>
        Environment.GetEnvironmentVariable(ReadySocketVariable) is { Length: > 0 } path ? path : null;

    /// <summary>Whether this process is the detached copy (it then runs as a daemon).</summary>
    public static bool IsDetachedCopy => ParentReadySocket is not null;

    /// <summary>Starts the detached copy and waits until it is ready (0) or has exited (its exit code).</summary>
    public static async Task<int> StartDetachedAsync(CancellationToken cancellation)
    {
        // A private directory (mode 0700) for the socket, so no other user can send the READY=1.
        var directory = Directory.CreateTempSubdirectory("fleetvpn-daemon-");
        try
        {
            var socketPath = Path.Combine(directory.FullName, "ready");
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.Bind(new UnixDomainSocketEndPoint(socketPath));

            var (file, arguments) = OwnCommandLine.Get();
            // The copy writes into pipes of ours, which we pass on until it is ready. It must not inherit our standard
            // streams: the runtime keeps duplicates of descriptors 1 and 2 once the console was used, so a terminal or
            // a caller's pipe would stay open (a `$(fleetvpn serve ...)` would never see its end) after the detach.
            var start = new ProcessStartInfo(file)
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var argument in arguments) start.ArgumentList.Add(argument);
            start.Environment[ReadySocketVariable] = socketPath;
            using var copy = new Process { StartInfo = start };
            copy.OutputDataReceived += (_, line) => { if (line.Data is not null) Console.Out.WriteLine(line.Data); };
            copy.ErrorDataReceived += (_, line) => { if (line.Data is not null) Console.Error.WriteLine(line.Data); };
            if (!copy.Start()) throw new InvalidOperationException($"could not start {file}");
            copy.StandardInput.Close();
            copy.BeginOutputReadLine();
            copy.BeginErrorReadLine();

            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            var ready = WaitForReadyAsync(socket, waiting.Token);
            var exited = copy.WaitForExitAsync(CancellationToken.None);
            var first = await Task.WhenAny(ready, exited).ConfigureAwait(false);
            if (first == ready && ready.IsCompletedSuccessfully) return ServeCommand.ExitOk;
            if (!exited.IsCompleted)
            {
                // Interrupted (Ctrl-C) before the copy was ready: it goes too.
                copy.Kill();
                await exited.ConfigureAwait(false);
            }
            await waiting.CancelAsync().ConfigureAwait(false);
            return copy.ExitCode;
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>Completes when a datagram with a READY=1 line arrives.</summary>
    private static async Task WaitForReadyAsync(Socket socket, CancellationToken cancellation)
    {
        var buffer = new byte[4096];
        while (true)
        {
            int length = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellation).ConfigureAwait(false);
            if (Encoding.UTF8.GetString(buffer, 0, length).Split('\n').Contains("READY=1")) return;
        }
    }
}
