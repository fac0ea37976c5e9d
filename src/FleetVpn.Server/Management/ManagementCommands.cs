using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using FleetVpn.Server.Logging;
using FleetVpn.Server.Status;

namespace FleetVpn.Server.Management;

/// <summary>
/// Runs one management command and returns its reply with OpenVPN 2.6's framing (<c>manage.c</c>): one
/// <c>SUCCESS: ...</c> or <c>ERROR: ...</c> line, or a multi-line answer ending with <c>END</c>; lines end with
/// CRLF. The texts are OpenVPN's, so scripts that match them keep working.
/// </summary>
public sealed class ManagementCommands(Func<IManagementTarget?> target, ServerLog log, ManagementLogHistory history, Action<PosixSignal>? raiseSignal)
{
    /// <summary>OpenVPN's MANAGEMENT_VERSION as 2.6 announces it.</summary>
    public const int ManagementVersion = 5;

    /// <summary>SIGUSR1 and SIGUSR2 have no <see cref="PosixSignal"/> name; Linux numbers them 10 and 12 (x86-64, arm64).</summary>
    public const PosixSignal SIGUSR1 = (PosixSignal)10;
    public const PosixSignal SIGUSR2 = (PosixSignal)12;

    public const string Banner = ">INFO:OpenVPN Management Interface Version 5 -- type 'help' for more info";

    private static readonly string[] HelpLines =
    [
        "Commands:",
        "bytecount n            : Show bytes in/out, update every n secs (0=off).",
        "client-kill CID [M]    : Kill client instance CID with message M (def=RESTART)",
        "exit|quit              : Close management session.",
        "help                   : Print this message.",
        "kill cn                : Kill the client instance(s) having common name cn.",
        "kill IP:port           : Kill the client instance connecting from IP:port.",
        "load-stats             : Show global server load stats.",
        "log [on|off] [N|all]   : Turn on/off realtime log display",
        "                         + show last N lines or 'all' for entire history.",
        "mute [n]               : Set log mute level to n, or show level if n is absent.",
        "nclients               : Show number of connected clients.",
        "pid                    : Show process ID of the current OpenVPN process.",
        "signal s               : Send signal s to daemon,",
        "                         s = SIGHUP|SIGTERM|SIGUSR1|SIGUSR2.",
        "status [n]             : Show current daemon status info using format #n.",
        "verb [n]               : Set log verbosity level to n, or show if n is absent.",
        "version [n]            : Set client's version to n or show current version of daemon.",
        "END",
    ];

    public string Execute(string line, ManagementConnectionState state)
    {
        var reply = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\r\n" };
        var words = ManagementCommandLine.Split(line);
        if (words is null)
        {
            reply.WriteLine("ERROR: unknown command, enter 'help' for more options");
            return reply.ToString();
        }
        if (words.Count == 0) return "";
        string Arg(int i) => i < words.Count ? words[i] : "";
        switch (words[0])
        {
            case "exit" or "quit":
                state.Quit = true;
                break;
            case "help":
                reply.WriteLine($"Management Interface for {ServerTitle.Text}");
                foreach (var help in HelpLines) reply.WriteLine(help);
                break;
            case "version" when words.Count > 1:
                reply.WriteLine(int.TryParse(words[1], NumberStyles.None, CultureInfo.InvariantCulture, out int version)
                    ? $"SUCCESS: Management client version set to {version}"
                    : "ERROR: Invalid value specified for management client version");
                break;
            case "version":
                reply.WriteLine($"OpenVPN Version: {ServerTitle.Text}");
                reply.WriteLine($"Management Version: {ManagementVersion}");
                reply.WriteLine("END");
                break;
            case "pid":
                reply.WriteLine($"SUCCESS: pid={Environment.ProcessId}");
                break;
            case "load-stats":
                LoadStats(reply);
                break;
            case "nclients":
                if (Running(reply, "nclients", out var serving)) reply.WriteLine($"SUCCESS: nclients={serving.ClientCount}");
                break;
            case "status":
                Status(reply, Atoi(Arg(1)));
                break;
            case "kill":
                if (Need(reply, words, 1, atLeast: false)) Kill(reply, words[1]);
                break;
            case "client-kill":
                if (Need(reply, words, 1, atLeast: true)) ClientKill(reply, words[1], words.Count > 2 ? words[2] : "RESTART");
                break;
            case "signal":
                if (Need(reply, words, 1, atLeast: false)) Signal(reply, words[1]);
                break;
            case "verb":
                Level(reply, "verb", Arg(1), () => log.Verb, v => log.Verb = v);
                break;
            case "mute":
                Level(reply, "mute", Arg(1), () => log.Mute, v => log.Mute = v);
                break;
            case "log":
                if (Need(reply, words, 1, atLeast: true))
                {
                    Log(reply, words[1], state);
                    if (words.Count > 2) Log(reply, words[2], state);
                }
                break;
            case "bytecount":
                if (Need(reply, words, 1, atLeast: false))
                {
                    state.BytecountSeconds = Math.Max(0, Atoi(words[1]));
                    reply.WriteLine("SUCCESS: bytecount interval changed");
                }
                break;
            default:
                reply.WriteLine("ERROR: unknown command, enter 'help' for more options");
                break;
        }
        return reply.ToString();
    }

    /// <summary>A line for the real-time log: <c>&gt;LOG:unix-time,flags,text</c> (I for information, W for a warning, D for detail).</summary>
    public static string FormatLogLine(int level, string message, DateTimeOffset at)
    {
        string flags = message.StartsWith("WARNING", StringComparison.Ordinal) ? "W" : level <= 1 ? "I" : "D";
        return $">LOG:{at.ToUnixTimeSeconds()},{flags},{message}\r\n";
    }

    /// <summary>C's atoi as OpenVPN uses it: the leading digits (after an optional sign), 0 when there are none or too many.</summary>
    private static int Atoi(string text)
    {
        int end = text.Length > 0 && text[0] is '+' or '-' ? 1 : 0;
        while (end < text.Length && char.IsAsciiDigit(text[end])) end++;
        return int.TryParse(text.AsSpan(0, end), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value) ? value : 0;
    }

    private static bool Need(StringWriter reply, IReadOnlyList<string> words, int count, bool atLeast)
    {
        if (words.Count > count) return true;
        reply.WriteLine($"ERROR: the '{words[0]}' command requires {(atLeast ? "at least " : "")}{count} parameter{(count > 1 ? "s" : "")}");
        return false;
    }

    private bool Running(StringWriter reply, string command, out IManagementTarget running)
    {
        running = target()!;
        if (running is not null) return true;
        reply.WriteLine($"ERROR: The '{command}' command is not supported by the current daemon mode");
        return false;
    }

    private void LoadStats(StringWriter reply)
    {
        var running = target();
        var (bytesIn, bytesOut) = running?.ByteTotals() ?? (0, 0);
        reply.WriteLine($"SUCCESS: nclients={running?.ClientCount ?? 0},bytesin={bytesIn},bytesout={bytesOut}");
    }

    private void Status(StringWriter reply, int version)
    {
        if (!Running(reply, "status", out var running)) return;
        if (version == 0) version = running.DefaultStatusVersion;
        if (version is < StatusRenderer.MinVersion or > StatusRenderer.MaxVersion)
        {
            reply.WriteLine("ERROR: bad status format version number");
            return;
        }
        StatusRenderer.Render(running.Snapshot(), version, reply);
    }

    private void Kill(StringWriter reply, string victim)
    {
        if (!Running(reply, "kill", out var running)) return;
        var parts = victim.Split(':');
        if (parts.Length is 2 or 3)
        {
            // IP:port, or 2.6's proto:IP:port (only udp is served)
            var (proto, host, portText) = parts.Length == 3 ? (parts[0], parts[1], parts[2]) : ("udp", parts[0], parts[1]);
            if (!IPAddress.TryParse(host, out var address) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            {
                reply.WriteLine($"ERROR: error parsing IP address: {host}");
                return;
            }
            int port = Atoi(portText);
            if (port is <= 0 or > 65535 || proto is not ("udp" or "tcp"))
            {
                reply.WriteLine($"ERROR: port number or protocol out of range: {portText} {proto}");
                return;
            }
            int killed = proto == "udp" ? running.KillByAddress(new IPEndPoint(address, port)) : 0;
            reply.WriteLine(killed > 0
                ? $"SUCCESS: {killed} client(s) at address {address}:{port} killed"
                : $"ERROR: client at address {address}:{port} not found");
            return;
        }
        if (victim.Length == 0)
        {
            reply.WriteLine("ERROR: kill parse");
            return;
        }
        int count = running.KillByCommonName(victim);
        reply.WriteLine(count > 0
            ? $"SUCCESS: common name '{victim}' found, {count} client(s) killed"
            : $"ERROR: common name '{victim}' not found");
    }

    private void ClientKill(StringWriter reply, string cidText, string message)
    {
        if (!long.TryParse(cidText, NumberStyles.None, CultureInfo.InvariantCulture, out long cid))
        {
            reply.WriteLine("ERROR: cannot parse CID");
            return;
        }
        if (!Running(reply, "client-kill", out var running)) return;
        reply.WriteLine(running.KillByClientId(cid, message)
            ? "SUCCESS: client-kill command succeeded"
            : "ERROR: client-kill command failed");
    }

    private void Signal(StringWriter reply, string name)
    {
        PosixSignal? signal = name switch
        {
            "SIGHUP" => PosixSignal.SIGHUP,
            "SIGTERM" => PosixSignal.SIGTERM,
            "SIGINT" => PosixSignal.SIGINT,
            "SIGUSR1" => SIGUSR1,
            "SIGUSR2" => SIGUSR2,
            _ => null,
        };
        if (signal is not { } known)
        {
            reply.WriteLine($"ERROR: signal '{name}' is not a known signal type");
            return;
        }
        if (known == SIGUSR2)
        {
            // OpenVPN's SIGUSR2 prints the statistics to the log and changes nothing: done here, on this thread.
            target()?.LogStatus();
        }
        else if (raiseSignal is null)
        {
            reply.WriteLine($"ERROR: signal '{name}' is currently ignored");
            return;
        }
        else
        {
            raiseSignal(known);
        }
        reply.WriteLine($"SUCCESS: signal {name} thrown");
    }

    private static void Level(StringWriter reply, string name, string argument, Func<int> get, Action<int> set)
    {
        if (argument.Length == 0)
        {
            reply.WriteLine($"SUCCESS: {name}={get()}");
            return;
        }
        int level = Atoi(argument);
        // OpenVPN's set_debug_level() / set_mute_cutoff() refuse a negative level.
        if (level < 0)
        {
            reply.WriteLine($"ERROR: {name} level is out of range");
            return;
        }
        set(level);
        reply.WriteLine($"SUCCESS: {name} level changed");
    }

    private void Log(StringWriter reply, string parameter, ManagementConnectionState state)
    {
        if (parameter == "on")
        {
            state.LogRealtime = true;
            reply.WriteLine("SUCCESS: real-time log notification set to ON");
        }
        else if (parameter == "off")
        {
            state.LogRealtime = false;
            reply.WriteLine("SUCCESS: real-time log notification set to OFF");
        }
        else if (parameter == "all" || Atoi(parameter) > 0)
        {
            foreach (var line in history.Last(parameter == "all" ? null : Atoi(parameter))) reply.Write(line);
            reply.WriteLine("END");
        }
        else
        {
            reply.WriteLine("ERROR: log parameter must be 'on' or 'off' or some number n or 'all'");
        }
    }
}
