using System.Runtime.InteropServices;
using System.Threading.Channels;
using FleetVpn.Platform.Hosting;

namespace FleetVpn.Cli.Commands;

/// <summary>
/// The signals `fleetvpn serve` acts on, queued in arrival order: SIGTERM and SIGINT (shut down),
/// SIGHUP (re-read the configuration and put it in force live), SIGUSR1 (restart).
/// Each is caught, so none of them ends the process by itself.
/// </summary>
internal sealed class ServeSignals : IDisposable
{
    /// <summary>SIGUSR1 has no <see cref="PosixSignal"/> name; Linux numbers it 10 (x86-64, arm64).</summary>
    public const PosixSignal SIGUSR1 = (PosixSignal)10;

    private readonly Channel<PosixSignal> _queue = Channel.CreateUnbounded<PosixSignal>();
    private readonly Queue<PosixSignal> _backlog = new();
    private readonly List<IDisposable> _registrations = [];
    private Task<PosixSignal>? _pending;

    public ServeSignals()
    {
        // Under nohup SIGHUP comes ignored, and the runtime would never deliver it: a reload must work all the same.
        InheritedSignals.StopIgnoring(1); // SIGHUP (PosixSignal.SIGHUP is an abstract value, not the number)
        InheritedSignals.StopIgnoring((int)SIGUSR1);
        foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGHUP, SIGUSR1 })
            _registrations.Add(PosixSignalRegistration.Create(signal, OnSignal));
    }

    /// <summary>Queues a signal as if it had arrived (e.g. SIGTERM when the host cancels the command).</summary>
    public void Post(PosixSignal signal) => _queue.Writer.TryWrite(signal);

    /// <summary>The next signal; the same task until it completes and is taken with <see cref="Take"/>.</summary>
    public Task<PosixSignal> NextAsync()
    {
        if (_pending is not null) return _pending;
        if (_backlog.TryDequeue(out var queued)) return _pending = Task.FromResult(queued);
        return _pending = _queue.Reader.ReadAsync().AsTask();
    }

    /// <summary>Consumes the signal <see cref="NextAsync"/> returned (which must have completed).</summary>
    public PosixSignal Take()
    {
        var signal = _pending?.Result ?? throw new InvalidOperationException("no signal has arrived");
        _pending = null;
        return signal;
    }

    /// <summary>Whether a shutdown signal is waiting; other waiting signals stay queued in order.</summary>
    public bool ShutdownPending()
    {
        while (_queue.Reader.TryRead(out var signal)) _backlog.Enqueue(signal);
        return _backlog.Any(IsShutdown) || (_pending is { IsCompletedSuccessfully: true } p && IsShutdown(p.Result));
    }

    public static bool IsShutdown(PosixSignal signal) => signal is PosixSignal.SIGTERM or PosixSignal.SIGINT;

    /// <summary>"SIGHUP", "SIGUSR1", ...</summary>
    public static string Name(PosixSignal signal) => signal == SIGUSR1 ? "SIGUSR1" : signal.ToString();

    public void Dispose()
    {
        foreach (var registration in _registrations) registration.Dispose();
        _queue.Writer.TryComplete();
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true; // the serve loop decides what happens, and the process lives on until it has
        _queue.Writer.TryWrite(context.Signal);
    }
}
