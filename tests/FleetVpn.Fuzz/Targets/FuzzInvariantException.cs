namespace FleetVpn.Fuzz.Targets;

/// <summary>A target found a parser result that contradicts its input (a round trip that differs, a length out of range).</summary>
public sealed class FuzzInvariantException(string message) : Exception(message);
