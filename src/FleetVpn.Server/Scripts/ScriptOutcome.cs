namespace FleetVpn.Server.Scripts;

/// <summary>How a script run ended: its exit status, or why there is none (it could not start, or was killed at its timeout).</summary>
public readonly record struct ScriptOutcome(int? ExitCode, string? Failure)
{
    /// <summary>Exit status 0: the client is accepted.</summary>
    public bool Succeeded => ExitCode == 0;

    public static ScriptOutcome Exited(int code) => new(code, null);

    public static ScriptOutcome Failed(string why) => new(null, why);

    public override string ToString() => Failure ?? $"exit status {ExitCode}";
}
