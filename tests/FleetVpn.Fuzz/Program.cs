using FleetVpn.Fuzz.Targets;
using SharpFuzz;

// fleetvpn fuzz driver:
//   dotnet FleetVpn.Fuzz.dll TARGET             run TARGET under afl-fuzz (scripts/fuzz.sh starts it so)
//   dotnet FleetVpn.Fuzz.dll TARGET FILE...     run TARGET once on each file (replays a finding); exit 1 on an exception
// Under AFL the FleetVpn assemblies are instrumented: their code may run only inside Fuzzer.OutOfProcess.Run, which sets
// up the coverage map first. So the target is made there, and a finding is replayed with an uninstrumented build.
if (args.Length == 0 || !FuzzTargets.Names.Contains(args[0]))
{
    Console.Error.WriteLine($"usage: FleetVpn.Fuzz TARGET [FILE...]; targets: {string.Join(", ", FuzzTargets.Names)}");
    return 2;
}
string name = args[0];
if (args.Length > 1)
{
    var target = FuzzTargets.Create(name)!;
    int failed = 0;
    foreach (var file in args.Skip(1))
    {
        try
        {
            target.Run(File.ReadAllBytes(file));
        }
        catch (Exception e)
        {
            failed++;
            Console.WriteLine($"{file}: {e}");
        }
    }
    return failed == 0 ? 0 : 1;
}
IFuzzTarget? fuzzed = null;
Fuzzer.OutOfProcess.Run(stream =>
{
    fuzzed ??= FuzzTargets.Create(name)!;
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    fuzzed.Run(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
});
return 0;
