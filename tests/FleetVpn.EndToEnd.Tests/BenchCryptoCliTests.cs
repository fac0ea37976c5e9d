using System.Globalization;
using System.Text.RegularExpressions;
using FleetVpn.EndToEnd.Tests.Infrastructure;
using X86Aes = System.Runtime.Intrinsics.X86.Aes;

namespace FleetVpn.EndToEnd.Tests;

/// <summary>
/// <c>fleetvpn bench crypto</c> as a command: a table row with positive, self-consistent rates for every cipher
/// and size asked for, an AES-NI line that agrees with this machine, and exit code 1 with a message for bad
/// arguments. Rates are never compared with a threshold (they depend on the machine); runs are kept short.
/// </summary>
public sealed partial class BenchCryptoCliTests
{
    private const string ShortRun = "0.02";

    [Fact]
    public async Task Prints_every_default_cipher_and_size_with_positive_rates_and_the_aes_ni_line()
    {
        var result = await BenchCli.RunAsync("crypto", "--seconds", ShortRun);

        Assert.True(result.Succeeded, result.ToString());
        foreach (var cipher in new[] { "AES-256-GCM", "AES-128-GCM", "CHACHA20-POLY1305", "AES-256-CBC+SHA256" })
            foreach (int size in new[] { 64, 128, 512, 1420 })
                AssertRow(result, cipher, size);
        Assert.Equal(16, Rows(result.StandardOutput).Count);
        AssertAesNiLine(result);
    }

    [Fact]
    public async Task Measures_only_the_ciphers_and_sizes_asked_for()
    {
        var result = await BenchCli.RunAsync("crypto", "--seconds", ShortRun, "--ciphers", "chacha20-poly1305:AES-128-CBC", "--sizes", "100,1400");

        Assert.True(result.Succeeded, result.ToString());
        var rows = Rows(result.StandardOutput);
        Assert.Equal(4, rows.Count);
        AssertRow(result, "CHACHA20-POLY1305", 100);
        AssertRow(result, "CHACHA20-POLY1305", 1400);
        AssertRow(result, "AES-128-CBC+SHA256", 100);
        AssertRow(result, "AES-128-CBC+SHA256", 1400);
        AssertAesNiLine(result);
    }

    [Theory]
    [InlineData("--seconds", "--seconds", "0")]
    [InlineData("--seconds", "--seconds", "-1")]
    [InlineData("--seconds", "--seconds", "61")]
    [InlineData("--seconds", "--seconds", "NaN")]
    [InlineData("--seconds", "--seconds", "soon")]
    [InlineData("--ciphers", "--ciphers", "BF-CBC")]
    [InlineData("--ciphers", "--ciphers", ":")]
    [InlineData("--sizes", "--sizes", "0")]
    [InlineData("--sizes", "--sizes", "64,big")]
    [InlineData("--sizes", "--sizes", "9001")]
    [InlineData("--nonsense", "--nonsense")]
    public async Task Bad_arguments_fail_with_exit_1_and_a_message_naming_the_option(string named, params string[] args)
    {
        var result = await BenchCli.RunAsync(["crypto", .. args]);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains(named, result.StandardError);
        Assert.Empty(Rows(result.StandardOutput));
    }

    // One table row: cipher, plaintext bytes, seal pkt/s, seal MB/s, open pkt/s, open MB/s.
    [GeneratedRegex(@"^(?<cipher>[A-Z0-9+-]+)\s+(?<size>\d+)\s+(?<sealPps>\d+)\s+(?<sealMbps>\d+\.\d)\s+(?<openPps>\d+)\s+(?<openMbps>\d+\.\d)$", RegexOptions.Multiline)]
    private static partial Regex RowPattern();

    [GeneratedRegex(@"^AES-NI: (?<inUse>yes|no) \(/proc/cpuinfo flag 'aes': (?<flag>yes|no), System\.Runtime\.Intrinsics\.X86\.Aes\.IsSupported: (?<intrinsic>True|False)\)", RegexOptions.Multiline)]
    private static partial Regex AesNiPattern();

    private static List<Match> Rows(string stdout) => RowPattern().Matches(stdout.ReplaceLineEndings("\n")).ToList();

    private static void AssertRow(CommandResult result, string cipher, int size)
    {
        var row = Rows(result.StandardOutput).SingleOrDefault(m => m.Groups["cipher"].Value == cipher && int.Parse(m.Groups["size"].Value, CultureInfo.InvariantCulture) == size);
        Assert.True(row is not null, $"no row for {cipher} at {size} bytes\n{result}");
        foreach (var direction in new[] { "seal", "open" })
        {
            double pps = double.Parse(row.Groups[direction + "Pps"].Value, CultureInfo.InvariantCulture);
            double mbps = double.Parse(row.Groups[direction + "Mbps"].Value, CultureInfo.InvariantCulture);
            Assert.True(pps > 0 && mbps > 0, $"{cipher} {size} {direction}: {row.Value}");
            // MB/s is plaintext bytes: packets/s × size / 10^6, up to the printed rounding.
            Assert.True(Math.Abs(pps * size / 1e6 - mbps) <= 0.05 + size / 1e6, $"{cipher} {size} {direction}: MB/s does not match packets/s × size: {row.Value}");
        }
    }

    private static void AssertAesNiLine(CommandResult result)
    {
        var line = AesNiPattern().Match(result.StandardOutput.ReplaceLineEndings("\n"));
        Assert.True(line.Success, "no AES-NI line\n" + result);
        bool flag = File.ReadLines("/proc/cpuinfo")
            .FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal))?
            .Split(':', 2)[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains("aes") ?? false;
        Assert.Equal(flag ? "yes" : "no", line.Groups["flag"].Value);
        Assert.Equal(X86Aes.IsSupported.ToString(), line.Groups["intrinsic"].Value);
        // In use only when both say so (and OPENSSL_ia32cap is not set for the test run).
        bool masked = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OPENSSL_ia32cap"));
        Assert.Equal(flag && X86Aes.IsSupported && !masked ? "yes" : "no", line.Groups["inUse"].Value);
    }
}
