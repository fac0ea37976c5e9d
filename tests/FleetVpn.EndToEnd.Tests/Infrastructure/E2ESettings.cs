namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Environment switches of the end-to-end tests.
/// <list type="bullet">
/// <item><c>FLEETVPN_E2E_SERVER</c>: <c>fleetvpn</c> (default) or <c>openvpn</c> (the stock server as a stand-in, to check the harness).</item>
/// <item><c>FLEETVPN_E2E_CLI</c>: path of the fleetvpn.dll (run with dotnet) or executable to test; default: the fleetvpn.dll built next to this assembly.</item>
/// <item><c>FLEETVPN_E2E_SEED</c>: seed of the malformed-datagram generator (default: random, printed in the test output).</item>
/// <item><c>CI</c>: <c>true</c> on CI; missing prerequisites fail the tests either way, CI only changes the message.</item>
/// </list>
/// </summary>
public static class E2ESettings
{
    public static ServerKind Server { get; } = ParseServer(Environment.GetEnvironmentVariable("FLEETVPN_E2E_SERVER"));

    public static bool IsCi { get; } = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Path of the fleetvpn CLI under test (a .dll run with dotnet, or an executable).</summary>
    public static string FleetVpnCliPath { get; } =
        Environment.GetEnvironmentVariable("FLEETVPN_E2E_CLI") is { Length: > 0 } p
            ? Path.GetFullPath(p)
            : Path.Combine(AppContext.BaseDirectory, "fleetvpn.dll");

    public static int? Seed { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("FLEETVPN_E2E_SEED"), out var s) ? s : null;

    private static ServerKind ParseServer(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "fleetvpn" => ServerKind.FleetVpn,
        "openvpn" => ServerKind.OpenVpn,
        _ => throw new InvalidOperationException($"FLEETVPN_E2E_SERVER must be 'fleetvpn' or 'openvpn', not '{value}'"),
    };
}
