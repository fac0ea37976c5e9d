namespace FleetVpn.Server.Config;

/// <summary>
/// The rate limits on new clients:
/// <list type="bullet">
/// <item><c>connect-freq-initial N SEC</c> (OpenVPN 2.6, default 100 10): at most N stateless replies to initial resets
/// per SEC seconds, so that forged resets cannot turn the server into a reflector. A client that completes the
/// three-way handshake gives its reply back, as in OpenVPN (<c>reflect_filter.c</c>). N may be 0 (no replies).</item>
/// <item><c>connect-freq N SEC</c> (OpenVPN; default none): at most N new clients (sessions made after the cookie
/// exchange) per SEC seconds; a client past it is not answered and retries.</item>
/// <item><c>connect-freq-per-source N</c> (FleetVPN's own, default 10; 0 = off): one source address may take at most N
/// of each of the budgets above in its period, so that one misbehaving device (or a reflection aimed at one victim)
/// cannot use them up for the rest.</item>
/// </list>
/// </summary>
internal static class ConnectFreqDirectives
{
    public static ConnectRate ParseRate(ConfigDirective directive, int minimumCount)
    {
        var arguments = DirectiveArguments.Expect(directive, 2, 2);
        return new ConnectRate(
            ConfigValues.Integer(directive, arguments[0], $"{directive.Name} N", minimumCount, int.MaxValue),
            ConfigValues.Integer(directive, arguments[1], $"{directive.Name} SEC", 1, int.MaxValue));
    }

    public static int ParsePerSource(ConfigDirective directive) =>
        ConfigValues.Integer(directive, DirectiveArguments.Single(directive), "connect-freq-per-source", 0, int.MaxValue);
}
