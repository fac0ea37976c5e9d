using FleetVpn.Protocol.DataChannel;
using FleetVpn.Protocol.Wrapping;

namespace FleetVpn.Server.Config;

/// <summary>
/// Collects <c>tls-auth</c>, <c>tls-crypt</c> and <c>key-direction</c> while the config is read and
/// builds the control-channel wrapper once it is complete, because <c>auth</c> (the tls-auth digest)
/// may come after <c>tls-auth</c>. Follows OpenVPN 2.6's <c>add_option()</c> in options.c:
/// <c>key-direction</c> and the direction argument of <c>tls-auth FILE [0|1]</c> write the same
/// <c>options-&gt;key_direction</c>, so whichever comes last wins, and <c>tls-auth FILE</c> without a
/// direction leaves an earlier one as it is; tls-auth and tls-crypt together are refused
/// (<c>options_postprocess_verify_ce()</c>: "--tls-auth and --tls-crypt are mutually exclusive").
/// </summary>
internal sealed class ControlWrapperDirectives
{
    private (ConfigDirective Directive, StaticKey Key)? _tlsAuth;
    private (ConfigDirective Directive, StaticKey Key)? _tlsCrypt;
    private KeyDirection _direction = KeyDirection.Bidirectional;

    /// <summary><c>tls-auth FILE [0|1]</c> or inline <c>&lt;tls-auth&gt;</c>; <paramref name="readKeyText"/> reads the file or block once the arguments are checked.</summary>
    public void ApplyTlsAuth(ConfigDirective directive, Func<string> readKeyText)
    {
        if (!directive.IsInline)
        {
            var arguments = DirectiveArguments.Expect(directive, 1, 2);
            if (arguments.Count == 2) _direction = ParseDirection(directive, arguments[1]);
        }
        if (_tlsCrypt is { } crypt) throw MutuallyExclusive(directive, crypt.Directive);
        _tlsAuth = (directive, ParseKey(directive, readKeyText()));
    }

    /// <summary><c>tls-crypt FILE</c> or inline <c>&lt;tls-crypt&gt;</c>; <paramref name="readKeyText"/> reads the file or block once the arguments are checked.</summary>
    public void ApplyTlsCrypt(ConfigDirective directive, Func<string> readKeyText)
    {
        // OpenVPN's parser takes a second argument here and never reads it (tls-crypt's direction
        // is fixed by the role), so configs copied from tls-auth ones carry 'tls-crypt FILE 0'.
        // FleetVPN accepts and ignores 0 or 1 there, and refuses anything else as a typo.
        if (!directive.IsInline)
        {
            var arguments = DirectiveArguments.Expect(directive, 1, 2);
            if (arguments.Count == 2 && arguments[1] is not ("0" or "1"))
                throw directive.Error($"'{arguments[1]}' is not a key direction (tls-crypt's direction is fixed: the server sends with keys[0])");
        }
        if (_tlsAuth is { } auth) throw MutuallyExclusive(directive, auth.Directive);
        _tlsCrypt = (directive, ParseKey(directive, readKeyText()));
    }

    /// <summary><c>key-direction 0|1</c>: used by tls-auth (tls-crypt's direction is fixed by the role).</summary>
    public void ApplyKeyDirection(ConfigDirective directive) =>
        _direction = ParseDirection(directive, DirectiveArguments.Single(directive));

    /// <summary>The wrapper and its name for logs: tls-auth with <paramref name="digest"/>, tls-crypt (server role), or none.</summary>
    public (IControlWrapper Wrapper, string Name) Build(HmacDigest digest)
    {
        if (_tlsAuth is { } auth) return (new TlsAuthWrapper(auth.Key, _direction, digest), "tls-auth");
        if (_tlsCrypt is { } crypt) return (new TlsCryptWrapper(crypt.Key, isServer: true), "tls-crypt");
        return (NoWrapper.Instance, "none");
    }

    /// <summary><c>ascii2keydirection()</c> in crypto.c: "0" is normal, "1" inverse, nothing else.</summary>
    private static KeyDirection ParseDirection(ConfigDirective directive, string text) => text switch
    {
        "0" => KeyDirection.Normal,
        "1" => KeyDirection.Inverse,
        _ => throw directive.Error($"unknown key direction '{text}': must be 0 or 1"),
    };

    private static StaticKey ParseKey(ConfigDirective directive, string keyText)
    {
        try
        {
            return StaticKey.Parse(keyText);
        }
        catch (FormatException ex)
        {
            throw directive.Error(ex.Message, ex);
        }
    }

    private static ConfigException MutuallyExclusive(ConfigDirective directive, ConfigDirective other) =>
        directive.Error($"tls-auth and tls-crypt are mutually exclusive (see '{other}' at {other.Location})");
}
