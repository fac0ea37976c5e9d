using static FleetVpn.Server.Tests.Config.ConfigTestFiles;

namespace FleetVpn.Server.Tests.Config;

/// <summary>FleetVPN's engine directives: workers and worker-cpus.</summary>
public sealed class EngineDirectiveTests
{
    private const int FirstExtraLine = 5;

    [Fact]
    public void By_default_one_worker_per_cpu_and_no_pinning()
    {
        var options = Parse(Minimal);

        Assert.Equal(0, options.Workers);
        Assert.Null(options.WorkerCpus);
    }

    [Theory]
    [InlineData("worker-cpus 3", new[] { 3 })]
    [InlineData("worker-cpus 0-3", new[] { 0, 1, 2, 3 })]
    [InlineData("worker-cpus 4-5,0,2-3", new[] { 4, 5, 0, 2, 3 })]
    [InlineData("worker-cpus 1,1,0-1", new[] { 1, 0 })]
    [InlineData("worker-cpus auto", new int[0])]
    public void Worker_cpus_lists_cpus_and_ranges_in_order(string line, int[] expected)
    {
        Assert.Equal(expected, Parse(Minimal + line + "\n").WorkerCpus);
    }

    [Fact]
    public void Workers_sets_the_count_and_the_command_line_overrides_it()
    {
        Assert.Equal(6, Parse(Minimal + "workers 6\n").Workers);
        Assert.Equal(2, Parse(Minimal + "workers 6\n", "--workers", "2").Workers);
    }

    [Theory]
    [InlineData("workers -1", "workers: '-1' is not a non-negative integer")]
    [InlineData("workers 5000", "workers must be between 0 and 1024, got 5000")]
    [InlineData("workers", "expects 1 argument, got 0")]
    [InlineData("worker-cpus 3-1", "range '3-1' runs backwards")]
    [InlineData("worker-cpus 1-2-3", "'1-2-3' is not a CPU or a range (e.g. 0-3,8)")]
    [InlineData("worker-cpus x", "worker-cpus CPU number: 'x' is not a non-negative integer")]
    [InlineData("worker-cpus 2000", "worker-cpus CPU number must be between 0 and 1023, got 2000")]
    [InlineData("worker-cpus ,", "names no CPU (e.g. worker-cpus 0-3, or worker-cpus auto)")]
    public void Bad_values_are_refused_with_file_line_and_directive(string line, string reason)
    {
        var error = Refuse(Minimal + line + "\n");

        Assert.Equal(FirstExtraLine, error.Line);
        Assert.Equal(line, error.Directive);
        Assert.Equal(reason, error.Reason);
    }
}
