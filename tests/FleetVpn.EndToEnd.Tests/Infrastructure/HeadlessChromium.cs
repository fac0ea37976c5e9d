namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Debian's chromium in headless mode inside a test namespace: the DOM of a page after its scripts ran, and a
/// screenshot. Each run has its own throw-away profile folder. Missing chromium fails the test (never a skip).
/// </summary>
public static class HeadlessChromium
{
    /// <summary>Scripts get this much virtual time to fetch and draw before the page is read.</summary>
    private const string ScriptTimeMs = "4000";
    private static readonly TimeSpan RunLimit = TimeSpan.FromSeconds(90);

    public static string Path => Tools.Find("chromium")
        ?? throw new InvalidOperationException("`chromium` is missing (Debian package chromium; scripts/test.sh installs it)" +
            (E2ESettings.IsCi ? ": CI=true, so this is a failure" : ""));

    /// <summary>The page's DOM, serialised after its scripts ran.</summary>
    public static async Task<string> DumpDomAsync(string ns, string url)
    {
        var result = await RunAsync(ns, ["--dump-dom", url]);
        return result.StandardOutput;
    }

    /// <summary>Saves a screenshot of the page (<paramref name="width"/> x <paramref name="height"/>) as PNG at <paramref name="pngPath"/>.</summary>
    public static async Task ScreenshotAsync(string ns, string url, string pngPath, int width = 1400, int height = 1000)
    {
        await RunAsync(ns, [$"--screenshot={pngPath}", $"--window-size={width},{height}", url]);
        if (!File.Exists(pngPath)) throw new InvalidOperationException($"chromium wrote no screenshot at {pngPath}");
    }

    private static async Task<CommandResult> RunAsync(string ns, string[] arguments)
    {
        var profile = Directory.CreateTempSubdirectory("fve2e-chromium-");
        try
        {
            // Root in a namespace: no sandbox; no GPU or /dev/shm in a test machine.
            string[] argv = [Path, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                $"--user-data-dir={profile.FullName}", $"--virtual-time-budget={ScriptTimeMs}", .. arguments];
            var result = await Commands.Exec(ns, RunLimit, argv);
            if (!result.Succeeded) throw new InvalidOperationException($"chromium failed:\n{result}");
            return result;
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }
}
