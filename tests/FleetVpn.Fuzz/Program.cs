using FleetVpn.Fuzz.Targets;
using SharpFuzz;

// fleetvpn fuzz driver:
//   dotnet FleetVpn.Fuzz.dll TARGET             run TARGET under afl-fuzz (scripts/fuzz.sh starts it so)
//   dotnet FleetVpn.Fuzz.dll TARGET FILE...     run TARGET once on each file (replays a finding); exit 1 on an exception
if (args.Length == 0 || FuzzTargets.Create(args[0]) is not { } target)
{
    Console.Error.WriteLine($"usage: FleetVpn.Fuzz TARGET [FILE...]; targets: {string.Join(", ", FuzzTargets.Names)}");
    return 2;
}
if (args.Length > 1)
{
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
Fuzzer.OutOfProcess.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    target.Run(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
});
return 0;
