using FleetVpn.Server.Config;

namespace FleetVpn.Server.Reload;

/// <summary>An option a running server cannot change: how it reads in a configuration, and how the running value is carried into a new one.</summary>
/// <param name="Name">The directive(s), for the warning.</param>
/// <param name="Describe">The option's value as text (compared to tell whether a reload changes it).</param>
/// <param name="Keep">Copies the running value (second) into the reloaded options (first).</param>
internal sealed record FixedOption(string Name, Func<ServerOptions, string> Describe, Action<ServerOptions, ServerOptions> Keep);
