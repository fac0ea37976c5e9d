using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

// Artifacts (logs, reports, the generated runner projects) go beside the binaries, which git ignores,
// not into the current directory, unless --artifacts says otherwise.
var config = DefaultConfig.Instance.WithArtifactsPath(Path.Combine(AppContext.BaseDirectory, "BenchmarkDotNet.Artifacts"));
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
