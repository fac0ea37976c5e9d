namespace FleetVpn.Server.Config;

/// <summary>Argument-count checks shared by the server.conf and client-config-dir parsers; errors name the directive.</summary>
internal static class DirectiveArguments
{
    /// <summary>The only argument of a directive that takes exactly one.</summary>
    public static string Single(ConfigDirective directive) => Expect(directive, 1, 1)[0];

    /// <summary>Checks that a flag directive (<c>persist-key</c>, <c>disable</c>) has no arguments.</summary>
    public static void None(ConfigDirective directive) => Expect(directive, 0, 0);

    /// <summary>The arguments, if there are between <paramref name="min"/> and <paramref name="max"/> and the directive is not an inline block.</summary>
    public static IReadOnlyList<string> Expect(ConfigDirective directive, int min, int max)
    {
        // Only key material may be inline; its readers handle those before coming here.
        if (directive.IsInline) throw directive.Error($"'{directive.Name}' does not take an inline <{directive.Name}> block");
        var count = directive.Arguments.Count;
        if (count >= min && count <= max) return directive.Arguments;
        var expected = min == max
            ? (min == 0 ? "no arguments" : min == 1 ? "1 argument" : $"{min} arguments")
            : $"{min} to {max} arguments";
        throw directive.Error($"expects {expected}, got {count}");
    }
}
