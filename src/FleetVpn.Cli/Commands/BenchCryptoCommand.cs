using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using FleetVpn.Cli.Benchmarks;
using FleetVpn.Platform.Cpu;
using FleetVpn.Protocol.DataChannel;

namespace FleetVpn.Cli.Commands;

/// <summary>
/// <c>fleetvpn bench crypto [--seconds S] [--ciphers LIST] [--sizes LIST]</c>: single-thread seal and open rates of
/// the data-channel ciphers (<see cref="CryptoThroughput"/>), one table row per cipher and plaintext size, to set
/// beside <c>openssl speed -evp aes-256-gcm</c> on the same machine.
/// Exit codes: 0 done, 1 bad arguments or a packet that failed to open.
/// </summary>
internal static class BenchCryptoCommand
{
    public const int ExitOk = 0;
    public const int ExitError = 1;

    private const double MinSeconds = 0.01;
    private const double MaxSeconds = 60;
    private const double DefaultSeconds = 0.25;

    public static Command Create()
    {
        var seconds = new Option<double>("--seconds")
        {
            Description = $"Length of each measurement (one cipher, size and direction), after an untimed warm-up of a tenth of it; {MinSeconds}..{MaxSeconds}. " +
                          $"The default ({DefaultSeconds.ToString(CultureInfo.InvariantCulture)}) runs all 32 measurements, and a start-up warm-up of {CryptoThroughput.WarmUpTime.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s, in under 10 s.",
            HelpName = "S",
            DefaultValueFactory = _ => DefaultSeconds,
        };
        var ciphers = new Option<string>("--ciphers")
        {
            Description = "Data ciphers to measure, colon-separated (CBC ciphers with HMAC-SHA256).",
            HelpName = "LIST",
            DefaultValueFactory = _ => string.Join(':', CryptoThroughput.DefaultCiphers.Select(c => c.Name)),
        };
        var sizes = new Option<string>("--sizes")
        {
            Description = $"Plaintext sizes in bytes, comma-separated, 1..{CryptoThroughput.MaxPlaintextBytes}.",
            HelpName = "LIST",
            DefaultValueFactory = _ => string.Join(',', CryptoThroughput.DefaultSizes),
        };

        var command = new Command("crypto",
            "Print this machine's data-channel cipher throughput: packets/s and MB/s (10^6 plaintext bytes/s) for seal and open, " +
            "one thread, P_DATA_V2 packets through FleetVPN's per-packet cipher code (AES-256-GCM, AES-128-GCM, CHACHA20-POLY1305, " +
            "AES-256-CBC+SHA256 by default), and whether AES-NI is in use. Compare with 'openssl speed -evp aes-256-gcm'. " +
            "Exit codes: 0 done, 1 bad arguments or a failed measurement.")
        {
            seconds, ciphers, sizes,
        };

        command.SetAction(parse =>
        {
            TimeSpan duration;
            DataCipher[] selected;
            int[] plaintextSizes;
            try
            {
                double s = parse.GetValue(seconds);
                if (!(s >= MinSeconds && s <= MaxSeconds))
                    throw new ArgumentException($"--seconds must be between {MinSeconds} and {MaxSeconds}, not {s.ToString(CultureInfo.InvariantCulture)}");
                duration = TimeSpan.FromSeconds(s);
                selected = ParseCiphers(parse.GetValue(ciphers)!);
                plaintextSizes = ParseSizes(parse.GetValue(sizes)!);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"bench crypto: {e.Message}");
                return ExitError;
            }

            PrintHeader(duration);
            try
            {
                CryptoThroughput.WarmUp(selected, CryptoThroughput.WarmUpTime);
                foreach (var cipher in selected)
                    foreach (int size in plaintextSizes)
                        PrintRow(CryptoThroughput.Measure(cipher, size, duration));
            }
            catch (CryptographicException e)
            {
                Console.Error.WriteLine($"bench crypto: {e.Message}");
                return ExitError;
            }
            Console.WriteLine("MB/s = 10^6 plaintext bytes per second (openssl speed's 'k' is 1000 bytes). Seal includes packet-id, AAD and tag (CBC: random IV and HMAC);");
            Console.WriteLine("open authenticates and decrypts. 'openssl speed -aead -evp aes-256-gcm -bytes 1420' does the same per-packet steps in C.");
            return ExitOk;
        });
        return command;
    }

    private static DataCipher[] ParseCiphers(string list)
    {
        var names = list.Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0) throw new ArgumentException("--ciphers: no cipher given");
        return names.Select(n => DataCipher.FindAny(n) ?? throw new ArgumentException(
                $"--ciphers: unsupported cipher '{n}' (supported: {string.Join(", ", DataCipher.All.Concat(DataCipher.CbcHmac).Select(c => c.Name))})"))
            .Distinct()
            .ToArray();
    }

    private static int[] ParseSizes(string list)
    {
        var items = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (items.Length == 0) throw new ArgumentException("--sizes: no size given");
        return items.Select(item =>
                int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n is >= 1 and <= CryptoThroughput.MaxPlaintextBytes
                    ? n
                    : throw new ArgumentException($"--sizes: '{item}' is not a size between 1 and {CryptoThroughput.MaxPlaintextBytes}"))
            .Distinct()
            .ToArray();
    }

    private static void PrintHeader(TimeSpan duration)
    {
        var aesNi = AesNiSupport.Detect();
        Console.WriteLine(Invariant($"fleetvpn bench crypto: data-channel seal/open, 1 thread, {duration.TotalSeconds:0.###} s per measurement, P_DATA_V2 packets"));
        Console.WriteLine($"CPU: {AesNiSupport.CpuModel() ?? "unknown"}, {Environment.ProcessorCount} logical CPU(s); .NET {Environment.Version}; {OpenSslVersion()}");
        Console.WriteLine(aesNi.Describe());
        Console.WriteLine($"{"cipher",-22} {"bytes",6} {"seal pkt/s",12} {"seal MB/s",10} {"open pkt/s",12} {"open MB/s",10}");
    }

    private static void PrintRow(CryptoThroughputResult r) =>
        Console.WriteLine(Invariant(
            $"{r.Label,-22} {r.PlaintextBytes,6} {r.Seal.PacketsPerSecond,12:0} {r.Seal.MegabytesPerSecond,10:0.0} {r.Open.PacketsPerSecond,12:0} {r.Open.MegabytesPerSecond,10:0.0}"));

    /// <summary>The OpenSSL that .NET loaded, which does the cipher work on Linux.</summary>
    private static string OpenSslVersion()
    {
        if (!OperatingSystem.IsLinux()) return "OpenSSL: not used on this platform";
        long v;
        try
        {
            v = SafeEvpPKeyHandle.OpenSslVersion;
        }
        catch (Exception e) when (e is PlatformNotSupportedException or DllNotFoundException or EntryPointNotFoundException)
        {
            return "OpenSSL: unknown";
        }
        long major = (v >> 28) & 0xF;
        // OPENSSL_VERSION_NUMBER is 0xMNN00PP0L from 3.0 on, 0xMNNFFPPS before.
        if (major >= 3) return Invariant($"OpenSSL {major}.{(v >> 20) & 0xFF}.{(v >> 4) & 0xFF}");
        long letter = (v >> 4) & 0xFF;
        var suffix = letter > 0 ? ((char)('a' + letter - 1)).ToString() : "";
        return Invariant($"OpenSSL {major}.{(v >> 20) & 0xFF}.{(v >> 12) & 0xFF}{suffix}");
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
