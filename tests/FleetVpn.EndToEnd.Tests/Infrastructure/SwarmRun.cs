using System.Text.Json;

namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Runs <c>fleetvpn swarm</c> to completion in a client namespace (<c>ip netns exec NS dotnet fleetvpn.dll swarm …</c>),
/// bounded by a time limit (killed by PID when it overruns), and reads its JSON summary.
/// </summary>
public sealed class SwarmRun
{
    private SwarmRun(CommandResult result, JsonDocument? summary)
    {
        Result = result;
        Summary = summary;
    }

    public CommandResult Result { get; }
    public JsonDocument? Summary { get; }
    public int ExitCode => Result.ExitCode;

    public JsonElement Root => Summary?.RootElement ?? throw new InvalidOperationException("no JSON summary:\n" + Result);

    public long Number(params string[] path)
    {
        var e = Root;
        foreach (var p in path) e = e.GetProperty(p);
        return (long)e.GetDouble();
    }

    public string Failures => Summary is null ? "(no summary)" : Root.GetProperty("failures").GetRawText();

    public static async Task<SwarmRun> RunAsync(string ns, string workingDirectory, IEnumerable<string> swarmArguments, TimeSpan limit, ITestOutputHelper output)
    {
        var jsonPath = Path.Combine(workingDirectory, $"swarm-{Guid.NewGuid():N}.json");
        var argv = new List<string> { "netns", "exec", ns };
        var cli = E2ESettings.FleetVpnCliPath;
        if (cli.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            argv.AddRange([Tools.FindDotnet() ?? throw new InvalidOperationException("dotnet host not found"), cli]);
        else
            argv.Add(cli);
        argv.Add("swarm");
        argv.AddRange(swarmArguments);
        argv.AddRange(["--json", jsonPath]);
        var result = await Commands.RunAsync(Tools.Resolve("ip"), argv, limit);
        output.WriteLine($"{result.CommandLine}\nexit {result.ExitCode}\n--- stderr ---\n{Tail(result.StandardError, 60)}");
        JsonDocument? summary = null;
        if (File.Exists(jsonPath))
        {
            var text = await File.ReadAllTextAsync(jsonPath);
            output.WriteLine($"--- summary ---\n{text}");
            summary = JsonDocument.Parse(text);
        }
        return new SwarmRun(result, summary);
    }

    private static string Tail(string text, int lines)
    {
        var all = text.Split('\n');
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }
}
