using FleetVpn.Server.Scripts;

namespace FleetVpn.Server.Config;

/// <summary>
/// <c>script-security N</c>, <c>client-connect CMD</c>, <c>client-disconnect CMD</c>, <c>auth-user-pass-verify CMD via-env|via-file</c>,
/// <c>username-as-common-name</c> and <c>tmp-dir DIR</c>, as OpenVPN 2.6 reads them (options.c). Each command's program must
/// exist and be executable when the configuration is read (OpenVPN's <c>check_cmd_access()</c>). Where OpenVPN would only
/// refuse every client at run time (a user script with <c>script-security</c> under 2), FleetVPN refuses the
/// configuration, naming the script's line. <c>via-env</c> under <c>script-security 3</c> is accepted as OpenVPN accepts
/// it: the script gets no <c>password</c> variable (OpenVPN's <c>env_allowed()</c> filters it), and a warning says so.
/// </summary>
internal sealed class ScriptDirectives
{
    /// <summary><c>SSEC_SCRIPTS</c>: user-defined scripts may run.</summary>
    public const int ScriptsLevel = 2;

    /// <summary><c>SSEC_PW_ENV</c>: passwords may be passed to scripts in the environment.</summary>
    public const int PasswordsInEnvironmentLevel = 3;

    private ConfigDirective? _clientConnect, _clientDisconnect, _authUserPassVerify, _usernameAsCommonName;

    public void Apply(ConfigDirective directive, ServerOptions options, string directory)
    {
        switch (directive.Name)
        {
            case "script-security":
                options.ScriptSecurity = ConfigValues.Integer(directive, DirectiveArguments.Single(directive), "script-security", 0, 3);
                break;
            case "client-connect":
                options.ClientConnect = ParseCommand(directive, DirectiveArguments.Single(directive), directory);
                _clientConnect = directive;
                break;
            case "client-disconnect":
                options.ClientDisconnect = ParseCommand(directive, DirectiveArguments.Single(directive), directory);
                _clientDisconnect = directive;
                break;
            case "auth-user-pass-verify":
                var arguments = DirectiveArguments.Expect(directive, 2, 2);
                options.AuthUserPassVerifyMethod = arguments[1] switch
                {
                    "via-env" => PasswordPassing.ViaEnv,
                    "via-file" => PasswordPassing.ViaFile,
                    _ => throw directive.Error($"'{arguments[1]}' is not a method of auth-user-pass-verify (via-env or via-file)"),
                };
                options.AuthUserPassVerify = ParseCommand(directive, arguments[0], directory);
                _authUserPassVerify = directive;
                break;
            case "username-as-common-name":
                DirectiveArguments.None(directive);
                options.UsernameAsCommonName = true;
                _usernameAsCommonName = directive;
                break;
            case "tmp-dir":
                var path = ConfigFiles.Resolve(directory, DirectiveArguments.Single(directive));
                if (!ConfigFiles.TryCheckDirectory(path, out var reason)) throw directive.Error($"cannot use {path}: {reason}");
                options.TmpDir = path;
                break;
            default:
                throw new InvalidOperationException($"{directive.Name} is not a script directive");
        }
    }

    /// <summary>The checks that need the whole configuration (script-security may come after the scripts).</summary>
    public void Check(ServerOptions options)
    {
        foreach (var script in new[] { _clientConnect, _clientDisconnect, _authUserPassVerify })
        {
            if (script is not null && options.ScriptSecurity < ScriptsLevel)
                throw script.Error($"needs 'script-security 2' or higher to run a user script (script-security is {options.ScriptSecurity})");
        }
        if (_authUserPassVerify is not null && options.AuthUserPassVerifyMethod == PasswordPassing.ViaEnv && options.ScriptSecurity < PasswordsInEnvironmentLevel)
            options.Warnings.Add($"{_authUserPassVerify.Location}: auth-user-pass-verify via-env with script-security {options.ScriptSecurity}: " +
                "the script gets the username but no password variable (passwords go to scripts from script-security 3, as in OpenVPN)");
        if (_usernameAsCommonName is not null && _authUserPassVerify is null)
            throw _usernameAsCommonName.Error("needs auth-user-pass-verify (FleetVPN has no plugins to authenticate a username otherwise)");
    }

    /// <summary>Splits <paramref name="text"/> into program and arguments; the program must exist and be executable.</summary>
    public static ScriptCommand ParseCommand(ConfigDirective directive, string text, string directory)
    {
        var tokens = ConfigLineTokenizer.Tokenize(text, directive.File, directive.Line);
        if (tokens.Count == 0 || tokens[0].StartsWith('#') || tokens[0].StartsWith(';'))
            throw directive.Error("the command is empty");
        var program = ConfigFiles.Resolve(directory, tokens[0]);
        if (!File.Exists(program)) throw directive.Error($"cannot run {program}: No such file or directory");
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(program) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) == 0)
            throw directive.Error($"cannot run {program}: it is not executable (chmod +x)");
        return new ScriptCommand(program, tokens.GetRange(1, tokens.Count - 1), text);
    }
}
