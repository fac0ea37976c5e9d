using FleetVpn.Server.Logging;
using FleetVpn.Server.Scripts;

namespace FleetVpn.Server.Tests.Scripts;

/// <summary>The runner against /bin/sh: exit status, environment and arguments, and a script past its timeout.</summary>
public sealed class ScriptRunnerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("fleetvpn-scripts-").FullName;
    private readonly ServerLog _log = new(verb: 0, mute: 0, TextWriter.Null);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private ScriptCommand Script(string body, params string[] arguments)
    {
        var path = Path.Combine(_directory, $"s{Guid.NewGuid():N}.sh");
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return new ScriptCommand(path, arguments, path);
    }

    [Fact]
    public async Task The_exit_status_is_the_outcome()
    {
        var runner = new ScriptRunner(_log);
        Assert.True((await runner.RunAsync(Script("exit 0"), new Dictionary<string, string>(), [], "test")).Succeeded);
        var refused = await runner.RunAsync(Script("exit 3"), new Dictionary<string, string>(), [], "test");
        Assert.False(refused.Succeeded);
        Assert.Equal(3, refused.ExitCode);
    }

    [Fact]
    public async Task The_script_sees_its_variables_and_arguments_and_not_the_servers_environment()
    {
        var output = Path.Combine(_directory, "out.txt");
        Environment.SetEnvironmentVariable("FLEETVPN_TEST_SECRET", "leak");
        var script = Script($"echo \"$common_name|$1|$2|${{FLEETVPN_TEST_SECRET:-none}}|${{PATH:+path}}\" > {output}", "first");

        var outcome = await new ScriptRunner(_log).RunAsync(script, new Dictionary<string, string> { ["common_name"] = "client1" }, ["dynamic.conf"], "test");

        Assert.True(outcome.Succeeded, outcome.ToString());
        Assert.Equal("client1|first|dynamic.conf|none|path", File.ReadAllText(output).Trim());
    }

    [Fact]
    public async Task A_script_past_its_timeout_is_killed_and_fails()
    {
        var marker = Path.Combine(_directory, "survived");
        var outcome = await new ScriptRunner(_log, TimeSpan.FromMilliseconds(300)).RunAsync(Script($"sleep 5; touch {marker}"), new Dictionary<string, string>(), [], "test");

        Assert.False(outcome.Succeeded);
        Assert.Contains("timeout", outcome.Failure);
        await Task.Delay(TimeSpan.FromSeconds(6));
        Assert.False(File.Exists(marker), "the killed script's shell went on");
    }

    [Fact]
    public async Task A_program_that_cannot_start_fails_without_throwing()
    {
        var outcome = await new ScriptRunner(_log).RunAsync(new ScriptCommand(Path.Combine(_directory, "missing"), [], "missing"), new Dictionary<string, string>(), [], "test");
        Assert.False(outcome.Succeeded);
        Assert.StartsWith("could not start", outcome.Failure);
    }
}
