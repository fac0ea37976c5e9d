namespace FleetVpn.Server.Scripts;

/// <summary>How <c>auth-user-pass-verify CMD METHOD</c> hands the client's username and password to its script.</summary>
public enum PasswordPassing
{
    /// <summary><c>via-file</c>: a temporary file (username, then password, a line each) whose path is the last argument.</summary>
    ViaFile,

    /// <summary><c>via-env</c>: the environment variables <c>username</c> and <c>password</c> (needs <c>script-security 3</c>).</summary>
    ViaEnv,
}
