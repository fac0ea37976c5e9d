using System.Globalization;
using System.Runtime.InteropServices;
using FleetVpn.Platform.Native;

namespace FleetVpn.Platform.Privileges;

/// <summary>
/// OpenVPN's <c>user</c>/<c>group</c> (platform_user_group_set() in platform.c): once the tun and the
/// socket exist, the process gives up root for good: <c>setgroups</c> to just the group, <c>setgid</c>,
/// then <c>setuid</c>. glibc applies each call to every thread (its SIGSETXID broadcast), and
/// <see cref="Drop"/> checks that every thread in <c>/proc/self/task</c> did change before it returns.
/// </summary>
/// <remarks>
/// No capability is kept. OpenVPN keeps CAP_NET_ADMIN across the switch with libcap-ng when it can,
/// but it is single-threaded; on Linux capabilities, like the keep-caps flag, belong to each thread,
/// and the glibc broadcast clears them on every thread except one that set PR_SET_KEEPCAPS itself,
/// while FleetVPN adds kernel routes by running `ip` from whichever thread handles a client. Keeping
/// the capability would need a privileged helper process, so after the drop the kernel refuses new
/// routes (iroute, ifconfig-push outside the pool), a new tun device, and ports below
/// <see cref="UnprivilegedPortStart"/>.
/// </remarks>
public static unsafe class PrivilegeDrop
{
    private const int EPERM = 1;
    private static readonly object Gate = new();
    private static DroppedPrivileges? _current;

    /// <summary>Who the process runs as since <see cref="Drop"/> succeeded; null while it has not been called.</summary>
    public static DroppedPrivileges? Current => Volatile.Read(ref _current);

    /// <summary>Whether the process runs with effective user id 0.</summary>
    public static bool IsRoot => LibC.GetEUid() == 0;

    /// <summary>
    /// Switches the whole process to <paramref name="user"/> and <paramref name="group"/> (either may be
    /// null, not both). Without a group the user's primary group is used, so that no root group id
    /// survives (OpenVPN would keep gid 0 there). Throws <see cref="PrivilegeDropException"/> when a name
    /// is unknown, a call fails or a thread kept its old ids; the process must not serve on then.
    /// </summary>
    public static DroppedPrivileges Drop(string? user, string? group)
    {
        if (user is null && group is null) throw new ArgumentException("neither a user nor a group to drop to");
        lock (Gate)
        {
            if (_current is not null) throw new InvalidOperationException($"privileges were already dropped to {_current.Describe()}");

            uint uid = 0, primaryGid = 0, gid;
            if (user is not null && !AccountDatabase.TryFindUser(user, out uid, out primaryGid))
                throw new PrivilegeDropException($"cannot drop privileges: unknown user '{user}'");
            if (group is not null)
            {
                if (!AccountDatabase.TryFindGroup(group, out gid))
                    throw new PrivilegeDropException($"cannot drop privileges: unknown group '{group}'");
            }
            else
            {
                gid = primaryGid;
            }
            string groupName = group ?? AccountDatabase.GroupName(gid);

            uint* groups = stackalloc uint[1];
            groups[0] = gid;
            if (LibC.SetGroups(1, groups) != 0) throw CallFailed($"setgroups({groupName})");
            if (LibC.SetGid(gid) != 0) throw CallFailed($"setgid({groupName})");
            if (user is not null && LibC.SetUid(uid) != 0) throw CallFailed($"setuid({user})");

            uint finalUid = user is not null ? uid : LibC.GetUid();
            Verify(user is not null ? uid : null, gid);
            var dropped = new DroppedPrivileges(user, finalUid, groupName, gid);
            Volatile.Write(ref _current, dropped);
            return dropped;
        }
    }

    /// <summary>The lowest port an unprivileged process may bind (net.ipv4.ip_unprivileged_port_start, 1024 by default).</summary>
    public static int UnprivilegedPortStart()
    {
        try
        {
            var text = File.ReadAllText("/proc/sys/net/ipv4/ip_unprivileged_port_start").Trim();
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int port) ? port : 1024;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 1024;
        }
    }

    /// <summary>Whether the process, as it runs now, may bind <paramref name="port"/>.</summary>
    public static bool CanBindPort(int port) => port == 0 || IsRoot || port >= UnprivilegedPortStart();

    private static PrivilegeDropException CallFailed(string call)
    {
        int errno = Marshal.GetLastPInvokeError();
        var hint = errno == EPERM ? "; user and group need FleetVPN to start as root" : "";
        return new PrivilegeDropException($"cannot drop privileges: {call} failed: {LibC.ErrorText(errno)} (errno {errno}){hint}");
    }

    /// <summary>Every id of every thread must now be the new one, and root must be out of reach.</summary>
    private static void Verify(uint? uid, uint gid)
    {
        if (uid is { } u && (LibC.GetUid() != u || LibC.GetEUid() != u))
            throw new PrivilegeDropException($"cannot drop privileges: user id is {LibC.GetUid()}/{LibC.GetEUid()} after setuid({u})");
        if (LibC.GetGid() != gid || LibC.GetEGid() != gid)
            throw new PrivilegeDropException($"cannot drop privileges: group id is {LibC.GetGid()}/{LibC.GetEGid()} after setgid({gid})");

        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            string status;
            try
            {
                status = File.ReadAllText(Path.Combine(task, "status"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // the thread ended meanwhile
            }
            string thread = Path.GetFileName(task);
            if (uid is { } expectedUid && !AllIds(status, "Uid:", expectedUid))
                throw new PrivilegeDropException($"cannot drop privileges: thread {thread} kept another user id ({Field(status, "Uid:")})");
            if (!AllIds(status, "Gid:", gid))
                throw new PrivilegeDropException($"cannot drop privileges: thread {thread} kept another group id ({Field(status, "Gid:")})");
            if (!AllIds(status, "Groups:", gid))
                throw new PrivilegeDropException($"cannot drop privileges: thread {thread} kept other supplementary groups ({Field(status, "Groups:")})");
        }

        if (uid is { } target && target != 0 && LibC.SetUid(0) == 0)
            throw new PrivilegeDropException("cannot drop privileges: setuid(0) still succeeds after the switch");
    }

    /// <summary>Whether the /proc status line <paramref name="key"/> lists <paramref name="id"/> and nothing else (at least once).</summary>
    private static bool AllIds(string status, string key, uint id)
    {
        var field = Field(status, key);
        if (field is null) return false;
        var ids = field.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        return ids.Length > 0 && ids.All(s => uint.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v == id);
    }

    private static string? Field(string status, string key)
    {
        foreach (var line in status.Split('\n'))
            if (line.StartsWith(key, StringComparison.Ordinal)) return line[key.Length..].Trim();
        return null;
    }
}
