using FleetVpn.Server.Config;
using FleetVpn.Server.Scripts;
using static FleetVpn.Server.Tests.Config.ConfigTestFiles;

namespace FleetVpn.Server.Tests.Config;

public sealed class ScriptDirectiveTests : IDisposable
{
    private readonly TemporaryDirectory _temp = new();
    private readonly string _script;

    public ScriptDirectiveTests()
    {
        _script = _temp.File("hook.sh", "#!/bin/sh\nexit 0\n");
        File.SetUnixFileMode(_script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Without_script_directives_nothing_runs_and_script_security_is_openvpns_default()
    {
        var options = Parse(Minimal);

        Assert.Equal(1, options.ScriptSecurity);
        Assert.Null(options.ClientConnect);
        Assert.Null(options.ClientDisconnect);
        Assert.Null(options.AuthUserPassVerify);
        Assert.False(options.UsernameAsCommonName);
    }

    [Fact]
    public void Client_connect_and_disconnect_split_their_command_into_program_and_arguments()
    {
        var options = Parse(Minimal + $"script-security 2\nclient-connect \"{_script} connect 'two words'\"\nclient-disconnect {_script}\n");

        Assert.Equal(_script, options.ClientConnect!.Program);
        Assert.Equal(["connect", "two words"], options.ClientConnect.Arguments);
        Assert.Equal(_script, options.ClientDisconnect!.Program);
        Assert.Empty(options.ClientDisconnect.Arguments);
    }

    [Fact]
    public void Script_security_may_come_after_the_scripts() =>
        Assert.NotNull(Parse(Minimal + $"client-connect {_script}\nscript-security 2\n").ClientConnect);

    [Fact]
    public void A_user_script_without_script_security_2_is_refused_at_its_line() =>
        AssertRefusedAt(Minimal + $"client-connect {_script}\n", 5, $"client-connect {_script}",
            "needs 'script-security 2' or higher to run a user script (script-security is 1)");

    [Fact]
    public void Auth_user_pass_verify_reads_its_method()
    {
        var viaFile = Parse(Minimal + $"script-security 2\nauth-user-pass-verify {_script} via-file\nusername-as-common-name\n");
        Assert.Equal(PasswordPassing.ViaFile, viaFile.AuthUserPassVerifyMethod);
        Assert.True(viaFile.UsernameAsCommonName);

        var viaEnv = Parse(Minimal + $"script-security 3\nauth-user-pass-verify {_script} via-env\n");
        Assert.Equal(PasswordPassing.ViaEnv, viaEnv.AuthUserPassVerifyMethod);
        Assert.Equal(_script, viaEnv.AuthUserPassVerify!.Program);
    }

    [Fact]
    public void Via_env_below_script_security_3_is_accepted_with_a_warning_that_no_password_goes_to_the_script()
    {
        var options = Parse(Minimal + $"script-security 2\nauth-user-pass-verify {_script} via-env\n");

        Assert.Equal(PasswordPassing.ViaEnv, options.AuthUserPassVerifyMethod);
        Assert.Contains(options.Warnings, w => w.StartsWith("server.conf:6: auth-user-pass-verify via-env with script-security 2: the script gets the username but no password", StringComparison.Ordinal));
        Assert.DoesNotContain(Parse(Minimal + $"script-security 3\nauth-user-pass-verify {_script} via-env\n").Warnings, w => w.Contains("auth-user-pass-verify", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unknown_method_is_refused() =>
        AssertRefusedAt(Minimal + $"script-security 2\nauth-user-pass-verify {_script} via-pipe\n", 6, $"auth-user-pass-verify {_script} via-pipe",
            "'via-pipe' is not a method of auth-user-pass-verify (via-env or via-file)");

    [Fact]
    public void Username_as_common_name_without_auth_user_pass_verify_is_refused() =>
        AssertRefusedAt(Minimal + "username-as-common-name\n", 5, "username-as-common-name",
            "needs auth-user-pass-verify (FleetVPN has no plugins to authenticate a username otherwise)");

    [Fact]
    public void A_missing_program_is_refused_at_start_up()
    {
        var missing = Path.Combine(_temp.Path, "nope.sh");
        AssertRefusedAt(Minimal + $"script-security 2\nclient-connect {missing}\n", 6, $"client-connect {missing}",
            $"cannot run {missing}: No such file or directory");
    }

    [Fact]
    public void A_program_that_is_not_executable_is_refused()
    {
        var plain = _temp.File("plain.sh", "#!/bin/sh\n");
        File.SetUnixFileMode(plain, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        AssertRefusedAt(Minimal + $"script-security 2\nclient-disconnect {plain}\n", 6, $"client-disconnect {plain}",
            $"cannot run {plain}: it is not executable (chmod +x)");
    }

    [Theory]
    [InlineData("script-security 4", "script-security must be between 0 and 3")]
    [InlineData("client-connect", "")]
    public void Bad_values_are_refused_with_file_line_and_directive(string line, string reasonStart)
    {
        var error = Refuse(Minimal + line + "\n");
        Assert.Equal("server.conf", error.File);
        Assert.Equal(5, error.Line);
        Assert.Equal(line, error.Directive);
        Assert.StartsWith(reasonStart, error.Reason);
    }

    [Fact]
    public void Tmp_dir_must_be_a_directory()
    {
        Assert.Equal(_temp.Path, Parse(Minimal + $"tmp-dir {_temp.Path}\n").TmpDir);
        AssertRefusedAt(Minimal + $"tmp-dir {_script}\n", 5, $"tmp-dir {_script}", $"cannot use {_script}: Not a directory");
    }
}
