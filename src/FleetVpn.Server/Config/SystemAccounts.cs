namespace FleetVpn.Server.Config;

/// <summary>
/// Checks that the names given to <c>user</c> and <c>group</c> exist, so a typo stops the server at
/// start-up instead of after it has bound its socket and opened the tun (OpenVPN 2.6 looks them up
/// with <c>getpwnam()</c>/<c>getgrnam()</c> in <c>platform_user_get()</c> / <c>platform_group_get()</c>,
/// also at start-up). FleetVPN reads the local account files only (no NSS modules such as LDAP or
/// systemd-userdb), and, like <c>getpwnam</c>, matches names, not numeric ids.
/// </summary>
internal static class SystemAccounts
{
    public const string PasswdFile = "/etc/passwd";
    public const string GroupFile = "/etc/group";

    /// <summary>Throws unless a user called <paramref name="name"/> is in <see cref="PasswdFile"/>.</summary>
    public static void RequireUser(ConfigDirective directive, string name) => Require(directive, name, PasswdFile, "user");

    /// <summary>Throws unless a group called <paramref name="name"/> is in <see cref="GroupFile"/>.</summary>
    public static void RequireGroup(ConfigDirective directive, string name) => Require(directive, name, GroupFile, "group");

    private static void Require(ConfigDirective directive, string name, string file, string kind)
    {
        if (!ConfigFiles.TryReadText(file, out var text, out var reason))
            throw directive.Error($"cannot check the {kind}: cannot read {file}: {reason}");
        if (!HasEntry(text, name))
            throw directive.Error($"unknown {kind} '{name}' (not in {file})");
    }

    /// <summary>Whether a passwd/group-format text has a line whose first ':'-separated field is <paramref name="name"/>.</summary>
    private static bool HasEntry(string text, string name)
    {
        if (name.Length == 0 || name.Contains(':') || name.Contains('\n')) return false;
        foreach (var line in text.Split('\n'))
        {
            var colon = line.IndexOf(':');
            if (colon > 0 && line.AsSpan(0, colon).SequenceEqual(name)) return true;
        }
        return false;
    }
}
