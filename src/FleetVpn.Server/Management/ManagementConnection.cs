using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using FleetVpn.Server.Logging;

namespace FleetVpn.Server.Management;

/// <summary>
/// One management client: reads its command lines, answers them, and sends it the notifications it asked for,
/// through its own bounded <see cref="ManagementOutputQueue"/> drained by an async writer. A reader that falls
/// behind by the bound is disconnected; nothing else ever waits for it.
/// </summary>
public sealed class ManagementConnection
{
    /// <summary>OpenVPN's MANAGEMENT_N_PASSWORD_RETRIES.</summary>
    private const int PasswordRetries = 3;

    /// <summary>A command line longer than this is not a command: the connection is dropped.</summary>
    private const int MaxLineLength = 64 * 1024;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly Socket _socket;
    private readonly ManagementCommands _commands;
    private readonly Func<IManagementTarget?> _target;
    private readonly ServerLog _log;
    private readonly string? _password;
    private readonly CancellationTokenSource _lifetime;
    private CancellationTokenSource? _bytecount;

    public ManagementConnection(Socket socket, string peer, ManagementCommands commands, Func<IManagementTarget?> target,
        ServerLog log, string? password, long maxPendingChars, CancellationToken serverStopping)
    {
        _socket = socket;
        Peer = peer;
        _commands = commands;
        _target = target;
        _log = log;
        _password = password;
        Output = new ManagementOutputQueue(maxPendingChars);
        _lifetime = CancellationTokenSource.CreateLinkedTokenSource(serverStopping);
    }

    public string Peer { get; }
    public ManagementConnectionState State { get; } = new();
    public ManagementOutputQueue Output { get; }

    /// <summary>Past the password prompt: notifications are sent to it.</summary>
    public bool IsAuthenticated => _password is null || State.PasswordVerified;

    /// <summary>Queues text for the client; a reader that fell behind by the bound is disconnected.</summary>
    public void Send(string text, bool reply = false)
    {
        if (!Output.TryEnqueue(text, unbounded: reply) && Output.Overflowed) Abort();
    }

    /// <summary>Drops the connection at once (slow reader, server stopping).</summary>
    public void Abort()
    {
        // CancelAsync: the caller may be a worker logging a line; the connection's clean-up must not run on its thread.
        try { _ = _lifetime.CancelAsync(); } catch (ObjectDisposedException) { }
    }

    public async Task RunAsync()
    {
        var cancellation = _lifetime.Token;
        using var stream = new NetworkStream(_socket, ownsSocket: true);
        var writer = WriteLoopAsync(stream, cancellation);
        try
        {
            Send(_password is null ? ManagementCommands.Banner + "\r\n" : "ENTER PASSWORD:", reply: true);
            using var reader = new StreamReader(stream, Utf8, detectEncodingFromByteOrderMarks: false, bufferSize: 4096, leaveOpen: true);
            while (!State.Quit && !cancellation.IsCancellationRequested)
            {
                var line = await reader.ReadLineAsync(cancellation).ConfigureAwait(false);
                if (line is null || line.Length > MaxLineLength) break;
                // Backpressure on the reader's own commands: no new command while its output is a bound behind.
                for (int i = 0; Output.IsFull && i < 3000 && !cancellation.IsCancellationRequested; i++)
                    await Task.Delay(20, cancellation).ConfigureAwait(false);
                if (Output.IsFull) break;
                Handle(line);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // the client went away, was too slow, or the server stops
        }
        finally
        {
            _bytecount?.Cancel();
            Output.Complete();
            // What is queued (the reply to `quit`, a last notification) still goes out, briefly.
            await Task.WhenAny(writer, Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None)).ConfigureAwait(false);
            Abort();
            await writer.ConfigureAwait(false);
            _lifetime.Dispose();
            _log.Write(Output.Overflowed ? 1 : 3, Output.Overflowed
                ? $"MANAGEMENT: client {Peer} disconnected: it did not read its output ({Output.PendingChars} characters waiting)"
                : $"MANAGEMENT: Client disconnected ({Peer})", "management");
        }
    }

    private void Handle(string line)
    {
        if (_password is not null && !State.PasswordVerified)
        {
            CheckPassword(line);
            return;
        }
        if (line.Trim().Length == 0) return;
        _log.Write(3, $"MANAGEMENT: CMD '{line}'", "management-cmd");
        int bytecountBefore = State.BytecountSeconds;
        var reply = _commands.Execute(line, State);
        if (reply.Length > 0) Send(reply, reply: true);
        if (State.BytecountSeconds != bytecountBefore) RestartBytecount();
    }

    private void CheckPassword(string line)
    {
        bool correct = CryptographicOperations.FixedTimeEquals(Utf8.GetBytes(line), Utf8.GetBytes(_password!));
        if (correct)
        {
            State.PasswordVerified = true;
            Send("SUCCESS: password is correct\r\n" + ManagementCommands.Banner + "\r\n", reply: true);
            return;
        }
        Send("ERROR: bad password\r\n", reply: true);
        if (++State.PasswordTries >= PasswordRetries)
        {
            _log.Info($"MANAGEMENT: client {Peer} connection rejected after {PasswordRetries} failed password attempts", "management");
            State.Quit = true;
            return;
        }
        Send("ENTER PASSWORD:", reply: true);
    }

    /// <summary>`bytecount N`: a timer of its own sends every N seconds one <c>&gt;BYTECOUNT_CLI:CID,in,out</c> line per client.</summary>
    private void RestartBytecount()
    {
        _bytecount?.Cancel();
        _bytecount = null;
        int seconds = State.BytecountSeconds;
        if (seconds <= 0) return;
        var stop = CancellationTokenSource.CreateLinkedTokenSource(_lifetime.Token);
        _bytecount = stop;
        _ = BytecountLoopAsync(seconds, stop.Token);
    }

    private async Task BytecountLoopAsync(int seconds, CancellationToken cancellation)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(seconds));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellation).ConfigureAwait(false))
            {
                if (_target() is not { } running) continue;
                var lines = new StringBuilder();
                foreach (var (clientId, bytesIn, bytesOut) in running.ByteCounts())
                    lines.Append(">BYTECOUNT_CLI:").Append(clientId).Append(',').Append(bytesIn).Append(',').Append(bytesOut).Append("\r\n");
                if (lines.Length > 0) Send(lines.ToString());
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task WriteLoopAsync(NetworkStream stream, CancellationToken cancellation)
    {
        try
        {
            while (await Output.DequeueAsync(cancellation).ConfigureAwait(false) is { } text)
            {
                if (Output.Overflowed) break;
                await stream.WriteAsync(Utf8.GetBytes(text), cancellation).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            // The writer gone (overflow, broken pipe), the reader has nothing left to do either.
            Abort();
        }
    }
}
