using System.Runtime.InteropServices;
using FleetVpn.Platform.Hosting;

namespace FleetVpn.Platform.Tests;

public sealed partial class InheritedSignalsTests
{
    private const int SIGUSR2 = 12;
    private static readonly nint SigIgn = 1;

    [LibraryImport("libc", EntryPoint = "signal")]
    private static partial nint Signal(int signal, nint handler);

    [Fact]
    public void An_ignored_signal_is_put_back_to_its_default_and_a_handled_one_is_left_alone()
    {
        // SIGUSR2: nothing in the test host uses it. Ignored first, as nohup leaves SIGHUP.
        nint original = Signal(SIGUSR2, SigIgn);
        try
        {
            Assert.True(InheritedSignals.StopIgnoring(SIGUSR2));
            Assert.Equal(0, Signal(SIGUSR2, SigIgn)); // SIG_DFL was in force
            Assert.True(InheritedSignals.StopIgnoring(SIGUSR2));
            Assert.False(InheritedSignals.StopIgnoring(SIGUSR2)); // not ignored now: nothing to do
        }
        finally
        {
            Signal(SIGUSR2, original);
        }
    }

    [Fact]
    public void A_registered_handler_survives()
    {
        using var registration = PosixSignalRegistration.Create((PosixSignal)SIGUSR2, context => context.Cancel = true);
        Assert.False(InheritedSignals.StopIgnoring(SIGUSR2));
        nint installed = Signal(SIGUSR2, SigIgn); // read the disposition, then put it back
        Signal(SIGUSR2, installed);
        Assert.NotEqual(0, installed); // the runtime's handler, not SIG_DFL
        Assert.NotEqual(SigIgn, installed);
    }
}
