using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace FleetVpn.Cli.Commands;

/// <summary>
/// <c>fleetvpn bench sink --listen ADDR:PORT [--seconds S] [--json FILE]</c>: a UDP socket that receives and counts
/// datagrams, the far end of a throughput benchmark (e.g. on a VPN server's tun address, with <c>fleetvpn swarm
/// --traffic-target</c> sending through the tunnels). Every second a line "sink: UNIX_MS PACKETS BYTES" (running totals)
/// goes to stderr, so a script can take the rate over any window; at the end a JSON summary goes to stdout.
/// Ends after --seconds or on SIGINT/SIGTERM. Exit codes: 0 done, 1 bad arguments or the address could not be bound.
/// </summary>
internal static class BenchSinkCommand
{
    public const int ExitOk = 0;
    public const int ExitError = 1;

    private const int MaxSeconds = 3600;

    public static Command Create()
    {
        var listen = new Option<string>("--listen") { Description = "IPv4 address and UDP port to receive on.", HelpName = "ADDR:PORT", Required = true };
        var seconds = new Option<int>("--seconds") { Description = $"Stop after this many seconds (1..{MaxSeconds}), or earlier on SIGINT/SIGTERM.", HelpName = "S", DefaultValueFactory = _ => 60 };
        var json = new Option<string?>("--json") { Description = "Write the JSON summary to this file as well.", HelpName = "FILE" };
        var command = new Command("sink",
            "Receive and count UDP datagrams (the sink of a throughput run): a line 'sink: UNIX_MS PACKETS BYTES' of running totals every second on stderr, " +
            "and at the end a JSON summary (packets, bytes of payload, senders: distinct source addresses, seconds from the first to the last datagram). " +
            "Exit codes: 0 done, 1 bad arguments or the address could not be bound.")
        {
            listen, seconds, json,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            IPEndPoint endPoint;
            int limit = parse.GetValue(seconds);
            var text = parse.GetRequiredValue(listen);
            if (!IPEndPoint.TryParse(text, out endPoint!) || endPoint.AddressFamily != AddressFamily.InterNetwork || endPoint.Port == 0)
            {
                await Console.Error.WriteLineAsync($"bench sink: --listen '{text}' is not IPv4ADDR:PORT");
                return ExitError;
            }
            if (limit is < 1 or > MaxSeconds)
            {
                await Console.Error.WriteLineAsync($"bench sink: --seconds must be between 1 and {MaxSeconds}");
                return ExitError;
            }
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                // A large buffer so that a short stall of this thread does not show up as the server's loss.
                socket.ReceiveBufferSize = 8 << 20;
                socket.ReceiveTimeout = 100;
                socket.Bind(endPoint);
            }
            catch (SocketException e)
            {
                await Console.Error.WriteLineAsync($"bench sink: cannot bind {endPoint}: {e.Message}");
                return ExitError;
            }
            Console.Error.WriteLine($"bench sink: receiving on {endPoint} for at most {limit} s (receive buffer {socket.ReceiveBufferSize} B)");

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
            var result = await Task.Factory.StartNew(() => Receive(socket, TimeSpan.FromSeconds(limit), stop.Token),
                CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

            var summary = Json(endPoint, result);
            Console.WriteLine(summary);
            if (parse.GetValue(json) is { } path) await File.WriteAllTextAsync(path, summary + "\n", CancellationToken.None);
            return ExitOk;
        });
        return command;
    }

    private static (long Packets, long Bytes, int Senders, long FirstUnixMs, long LastUnixMs) Receive(Socket socket, TimeSpan limit, CancellationToken stop)
    {
        var buffer = new byte[65536];
        var from = new SocketAddress(AddressFamily.InterNetwork);
        var senders = new HashSet<uint>();
        long packets = 0, bytes = 0, first = 0, last = 0;
        long deadline = Environment.TickCount64 + (long)limit.TotalMilliseconds;
        long nextSample = Environment.TickCount64 + 1000;
        while (!stop.IsCancellationRequested)
        {
            long now = Environment.TickCount64;
            if (now >= deadline) break;
            if (now >= nextSample)
            {
                nextSample = now + 1000;
                Console.Error.WriteLine(FormattableString.Invariant($"sink: {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()} {packets} {bytes}"));
            }
            int n;
            try
            {
                n = socket.ReceiveFrom(buffer, SocketFlags.None, from);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock or SocketError.Interrupted)
            {
                continue;
            }
            packets++;
            bytes += n;
            // sockaddr_in: family (2), port (2), then the IPv4 address.
            senders.Add(BitConverter.ToUInt32(from.Buffer.Span[4..8]));
            last = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            if (first == 0) first = last;
        }
        Console.Error.WriteLine(FormattableString.Invariant($"sink: {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()} {packets} {bytes}"));
        return (packets, bytes, senders.Count, first, last);
    }

    private static string Json(IPEndPoint endPoint, (long Packets, long Bytes, int Senders, long FirstUnixMs, long LastUnixMs) r)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("listen", endPoint.ToString());
            w.WriteNumber("packets", r.Packets);
            w.WriteNumber("bytes", r.Bytes);
            w.WriteNumber("senders", r.Senders);
            w.WriteNumber("first_unix_ms", r.FirstUnixMs);
            w.WriteNumber("last_unix_ms", r.LastUnixMs);
            w.WriteNumber("seconds", Math.Round((r.LastUnixMs - r.FirstUnixMs) / 1000.0, 3));
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
