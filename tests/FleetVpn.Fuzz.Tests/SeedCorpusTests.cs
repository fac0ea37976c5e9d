using FleetVpn.Fuzz.Targets;

namespace FleetVpn.Fuzz.Tests;

/// <summary>
/// Every seed of every fuzz target (Corpus/TARGET, real packets and configs from the OpenVPN 2.6 fixtures, plus
/// the inputs of past findings) runs through its target: nothing but the parser's documented rejection may happen.
/// </summary>
public class SeedCorpusTests
{
    public static TheoryData<string> Targets => new(FuzzTargets.Names);

    [Theory]
    [MemberData(nameof(Targets))]
    public void EverySeedRunsThroughItsTarget(string name)
    {
        var target = FuzzTargets.Create(name);
        Assert.NotNull(target);
        Assert.Equal(name, target.Name);
        var seeds = Directory.GetFiles(FuzzTargets.CorpusDirectory(name));
        Assert.NotEmpty(seeds);
        foreach (var seed in seeds)
        {
            var exception = Record.Exception(() => target.Run(File.ReadAllBytes(seed)));
            Assert.True(exception is null, $"{Path.GetFileName(seed)}: {exception}");
        }
    }

    [Fact]
    public void EveryCorpusFolderBelongsToATarget()
    {
        var folders = Directory.GetDirectories(Path.Combine(AppContext.BaseDirectory, "Corpus")).Select(Path.GetFileName).Order();
        Assert.Equal(FuzzTargets.Names.Order(), folders);
    }

    [Fact]
    public void UnknownTargetIsNull() => Assert.Null(FuzzTargets.Create("no-such-target"));
}
