namespace FleetVpn.Fuzz.Targets;

/// <summary>
/// One parser that sees untrusted bytes, driven the way the server drives it. <see cref="Run"/> returns for every
/// input: accepted, or refused the way the parser documents (a false <c>Try…</c>, <c>ParseStatus.Invalid</c>, a
/// <c>ConfigException</c>, which the target catches). Any exception that leaves it is a finding, as is a broken
/// invariant, which the target reports as <see cref="FuzzInvariantException"/>.
/// </summary>
public interface IFuzzTarget
{
    /// <summary>The name on the command line and of the seed folder (<c>Corpus/NAME</c>).</summary>
    string Name { get; }

    void Run(ReadOnlySpan<byte> input);
}
