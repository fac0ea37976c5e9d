using System.Text.RegularExpressions;
using FleetVpn.EndToEnd.Tests.Infrastructure;

namespace FleetVpn.EndToEnd.Tests;

/// <summary>
/// <c>fleetvpn pki</c> as a command: exit codes and messages of refusals and bad arguments, numbering that
/// continues across runs, progress lines when stderr is not a terminal, and a tls-crypt key laid out as
/// <c>openvpn --genkey secret</c> lays out its own. No network: these run in a temp folder only.
/// </summary>
public sealed partial class PkiCliTests : IDisposable
{
    private readonly string _temp = Path.Combine(Path.GetTempPath(), $"fve2e-{Environment.ProcessId}-pkicli-{Guid.NewGuid().ToString("N")[..6]}");

    public PkiCliTests() => Directory.CreateDirectory(_temp);

    public void Dispose()
    {
        try { Directory.Delete(_temp, recursive: true); }
        catch (IOException) { /* removed by a later run */ }
    }

    private string Dir => Path.Combine(_temp, "pki");

    [Fact]
    public async Task Init_twice_is_refused_with_exit_1_and_the_ca_is_kept()
    {
        await PkiCli.RunCheckedAsync("init", Dir);
        var ca = await File.ReadAllTextAsync(Path.Combine(Dir, "ca.crt"));

        var again = await PkiCli.RunAsync("init", Dir);

        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already has a CA", again.StandardError);
        Assert.Equal(ca, await File.ReadAllTextAsync(Path.Combine(Dir, "ca.crt")));
    }

    [Theory]
    [InlineData("server", "--cn", "server")]
    [InlineData("clients", "--count", "3")]
    [InlineData("client-config", "--cn", "device-000001", "--remote", "vpn.example.com:1194")]
    public async Task Commands_on_a_directory_without_a_ca_fail_with_exit_1(params string[] command)
    {
        Directory.CreateDirectory(Dir);
        var result = await PkiCli.RunAsync([command[0], Dir, .. command[1..]]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("has no CA", result.StandardError);
        Assert.Contains("fleetvpn pki init", result.StandardError);
    }

    [Theory]
    [InlineData("clients", "--count", "0")]
    [InlineData("clients", "--count", "many")]
    [InlineData("clients", "--count", "2", "--prefix", "bad/")]
    [InlineData("clients", "--count", "2", "--days", "0")]
    [InlineData("clients", "--count", "2", "--key-type", "dsa")]
    [InlineData("clients", "--count", "2", "--rsa", "--key-type", "ecdsa")]
    [InlineData("clients")]
    [InlineData("server")]
    [InlineData("server", "--cn", "ca")]
    [InlineData("server", "--cn", "../x")]
    [InlineData("client-config", "--cn", "device-000001", "--remote", "no-port")]
    [InlineData("client-config", "--cn", "device-000001")]
    [InlineData("client-config", "--cn", "device-000099", "--remote", "h:1194")]
    [InlineData("client-config", "--cn", "device-000001", "--remote", "h:1194", "--tls-crypt", "/nonexistent/tc.key")]
    public async Task Bad_arguments_fail_with_exit_1_and_a_message(params string[] command)
    {
        await PkiCli.RunCheckedAsync("init", Dir);
        await PkiCli.RunCheckedAsync("clients", Dir, "--count", "1");
        var before = Directory.EnumerateFiles(Path.Combine(Dir, "issued")).Count();

        var result = await PkiCli.RunAsync([command[0], Dir, .. command[1..]]);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.NotEmpty(result.StandardError.Trim());
        Assert.DoesNotContain("-----BEGIN", result.StandardOutput);
        Assert.Equal(before, Directory.EnumerateFiles(Path.Combine(Dir, "issued")).Count());
    }

    [Fact]
    public async Task Clients_twice_continue_the_numbering_and_print_progress_every_10_percent()
    {
        await PkiCli.RunCheckedAsync("init", Dir);
        var first = await PkiCli.RunCheckedAsync("clients", Dir, "--count", "50");
        var second = await PkiCli.RunCheckedAsync("clients", Dir, "--count", "5", "--prefix", "device-");

        Assert.Contains("device-000001 .. device-000050", first.StandardOutput);
        Assert.Contains("device-000051 .. device-000055", second.StandardOutput);
        var names = Directory.EnumerateFiles(Path.Combine(Dir, "issued")).Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(Enumerable.Range(1, 55).Select(n => $"device-{n:D6}.crt"), names);

        // stderr is a pipe here: plain lines, one per 10%, no carriage returns.
        Assert.DoesNotContain("\r", first.StandardError);
        var lines = first.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(10, lines.Length);
        Assert.Contains("100%", lines[^1]);
        Assert.Contains("50/50", lines[^1]);
    }

    [Fact]
    public async Task Clients_on_a_terminal_rewrite_one_progress_line()
    {
        await PkiCli.RunCheckedAsync("init", Dir);
        // script(1) (util-linux) gives the command a pseudo-terminal, so stderr is a TTY.
        var cli = E2ESettings.FleetVpnCliPath;
        var command = cli.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
            ? $"'{Tools.FindDotnet()}' '{cli}' pki clients '{Dir}' --count 2000"
            : $"'{cli}' pki clients '{Dir}' --count 2000";
        var result = await Commands.RunAsync(Tools.Resolve("script"), ["-qec", command, "/dev/null"], FleetVpnCli.Timeout);

        Assert.True(result.Succeeded, result.ToString());
        var progress = result.StandardOutput.Split('\r', StringSplitOptions.RemoveEmptyEntries).Where(p => p.Contains('%')).ToArray();
        Assert.NotEmpty(progress);
        Assert.Contains("100% 2000/2000", progress[^1]);
        Assert.Single(result.StandardOutput.Split('\n'), l => l.Contains("2000/2000", StringComparison.Ordinal));
        Assert.Contains("device-000001 .. device-002000", result.StandardOutput);
    }

    [Fact]
    public async Task Clients_help_says_numbering_continues()
    {
        var help = await PkiCli.RunCheckedAsync("clients", "--help");
        Assert.Contains("Numbering continues after the highest number", Regex.Replace(help.StandardOutput, @"\s+", " "));
    }

    [Fact]
    public async Task Tls_crypt_key_is_laid_out_as_openvpn_genkey_secret_writes_its_own()
    {
        var ours = Path.Combine(_temp, "ours.key");
        var theirs = Path.Combine(_temp, "theirs.key");
        await PkiCli.RunCheckedAsync("tls-crypt-key", ours);
        var genkey = await Commands.RunAsync(Tools.Resolve("openvpn"), ["--genkey", "secret", theirs], Commands.DefaultTimeout);
        Assert.True(genkey.Succeeded, genkey.ToString());

        Assert.Equal(Shape(await File.ReadAllTextAsync(theirs)), Shape(await File.ReadAllTextAsync(ours)));
        Assert.NotEqual(await File.ReadAllTextAsync(theirs), await File.ReadAllTextAsync(ours));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(ours));

        var again = await PkiCli.RunAsync("tls-crypt-key", ours);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already exists", again.StandardError);

        // Each hex digit becomes 'x': the same lines, comments and markers, only the key differs.
        static string Shape(string text) => HexDigit().Replace(text, "x");
    }

    [GeneratedRegex("[0-9a-f]", RegexOptions.None)]
    private static partial Regex HexDigit();
}
