using System.Diagnostics;
using System.Globalization;

namespace FleetVpn.Cli.Commands;

/// <summary>
/// Progress of a long <c>fleetvpn pki</c> run, on standard error: on a terminal one line rewritten in place
/// (carriage return) at most ten times a second; otherwise (a log, a pipe) a plain line at every 10%.
/// <see cref="Report"/> may be called from several threads.
/// </summary>
internal sealed class PkiProgress
{
    private const int BarWidth = 30;
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);

    private readonly int _total;
    private readonly TextWriter _writer;
    private readonly bool _interactive;
    private readonly string _what;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _gate = new();
    private TimeSpan? _lastDraw;
    private int _lastDecile;
    private int _shown;

    public PkiProgress(int total, string what, TextWriter writer, bool interactive)
    {
        _total = Math.Max(total, 1);
        _what = what;
        _writer = writer;
        _interactive = interactive;
    }

    /// <summary>Progress on standard error, rewritten in place when standard error is a terminal.</summary>
    public static PkiProgress ForStandardError(int total, string what) =>
        new(total, what, Console.Error, interactive: !Console.IsErrorRedirected);

    public void Report(int done)
    {
        lock (_gate)
        {
            if (done <= _shown) return;
            _shown = done;
            if (_interactive)
            {
                var now = _clock.Elapsed;
                if (done < _total && _lastDraw is { } last && now - last < RedrawInterval) return;
                _lastDraw = now;
                _writer.Write("\r" + Line(done));
            }
            else
            {
                var decile = (int)(10L * done / _total);
                if (decile <= _lastDecile) return;
                _lastDecile = decile;
                _writer.WriteLine(Line(done));
            }
            _writer.Flush();
        }
    }

    /// <summary>Ends the rewritten line (a terminal), so that what follows starts on a line of its own.</summary>
    public void Finish()
    {
        lock (_gate)
        {
            if (_interactive && _shown > 0) _writer.WriteLine();
            _writer.Flush();
        }
    }

    private string Line(int done)
    {
        var fraction = (double)done / _total;
        var filled = (int)(fraction * BarWidth);
        var seconds = _clock.Elapsed.TotalSeconds;
        var rate = seconds > 0 ? done / seconds : 0;
        return string.Create(CultureInfo.InvariantCulture,
            $"[{new string('#', filled)}{new string('.', BarWidth - filled)}] {fraction * 100,3:0}% {done}/{_total} {_what} {rate:0}/s");
    }
}
