using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using FleetVpn.Benchmarks;

// `-- interleaved`: the round-robin cipher comparison (InterleavedCipherProbe), not BenchmarkDotNet.
if (args is ["interleaved"])
{
    InterleavedCipherProbe.Run();
    return;
}

// Artifacts (logs, reports, the generated runner projects) go beside the binaries, which git ignores,
// not into the current directory, unless --artifacts says otherwise.
var config = DefaultConfig.Instance.WithArtifactsPath(Path.Combine(AppContext.BaseDirectory, "BenchmarkDotNet.Artifacts"));
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
