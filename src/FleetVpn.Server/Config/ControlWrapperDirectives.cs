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
/// <c>tls-crypt-v2 SERVER_KEY</c> may stand alone or beside either (doc/tls-crypt-v2.txt, "Considerations": V3
/// resets carry their own key, V2 resets use tls-auth / tls-crypt), and then no packet goes unwrapped.
/// </summary>
internal sealed class ControlWrapperDirectives
{
    private (ConfigDirective Directive, StaticKey Key)? _tlsAuth;
    private (ConfigDirective Directive, StaticKey Key)? _tlsCrypt;
    private KeyDirection _direction = KeyDirection.Bidirectional;
    private (ConfigDirective Directive, TlsCryptV2ServerKey Key)? _tlsCryptV2;
    private ConfigDirective? _maxAge;
    private int _maxAgeDays;

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

    /// <summary>
    /// <c>tls-crypt-v2 FILE [force-cookie]</c> or inline <c>&lt;tls-crypt-v2&gt;</c>: the server key. FleetVPN keeps no state
    /// before the cookie exchange, so it always behaves as <c>force-cookie</c>: <c>allow-noncookie</c> (2.6's default,
    /// which lets clients without early negotiation, 2.5 and older, in) is refused with that reason.
    /// </summary>
    public void ApplyTlsCryptV2(ConfigDirective directive, Func<string> readKeyText)
    {
        if (!directive.IsInline)
        {
            var arguments = DirectiveArguments.Expect(directive, 1, 2);
            if (arguments.Count == 2)
            {
                if (arguments[1] == "allow-noncookie")
                    throw directive.Error("'allow-noncookie' is not supported: FleetVPN keeps no state before the client answers the cookie, so only clients that resend their wrapped key (OpenVPN 2.6 and later) connect ('force-cookie')");
                if (arguments[1] != "force-cookie")
                    throw directive.Error($"'{arguments[1]}' is not a tls-crypt-v2 flag (force-cookie or allow-noncookie)");
            }
        }
        try
        {
            _tlsCryptV2 = (directive, TlsCryptV2ServerKey.Parse(readKeyText()));
        }
        catch (FormatException ex)
        {
            throw directive.Error($"not a tls-crypt-v2 server key: {ex.Message}", ex);
        }
    }

    /// <summary><c>tls-crypt-v2-max-age DAYS</c> (OpenVPN 2.7): refuse client keys whose TIMESTAMP metadata is older, or that have none.</summary>
    public void ApplyTlsCryptV2MaxAge(ConfigDirective directive)
    {
        _maxAgeDays = ConfigValues.Integer(directive, DirectiveArguments.Single(directive), "tls-crypt-v2-max-age", 1, int.MaxValue);
        _maxAge = directive;
    }

    /// <summary>The tls-crypt-v2 server key (null without <c>tls-crypt-v2</c>) and the max age in days (0: none).</summary>
    public (TlsCryptV2ServerKey? Key, int MaxAgeDays) BuildTlsCryptV2()
    {
        if (_maxAge is not null && _tlsCryptV2 is null)
            throw _maxAge.Error("needs 'tls-crypt-v2 SERVER_KEY' (it limits the age of tls-crypt-v2 client keys)");
        return (_tlsCryptV2?.Key, _maxAgeDays);
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
