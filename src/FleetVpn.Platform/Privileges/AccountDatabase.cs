using System.Runtime.InteropServices;
using FleetVpn.Platform.Native;

namespace FleetVpn.Platform.Privileges;

/// <summary>
/// Looks users and groups up through libc (<c>getpwnam_r</c>, <c>getgrnam_r</c>, <c>getgrgid_r</c>), so
/// every NSS source the system is configured with counts, as OpenVPN's <c>getpwnam()</c> does.
/// </summary>
internal static unsafe class AccountDatabase
{
    private const int MaxBuffer = 1 << 20;

    /// <summary>The user's id and primary group id; false when there is no such user.</summary>
    public static bool TryFindUser(string name, out uint uid, out uint primaryGid)
    {
        LibC.Passwd entry;
        LibC.Passwd* result = null;
        for (int size = 4096; ; size *= 2)
        {
            var buffer = new byte[size];
            int error;
            fixed (byte* b = buffer) error = LibC.GetPwNamR(name, &entry, b, (nuint)size, &result);
            if (error == LibC.ERANGE && size < MaxBuffer) continue;
            if (error != 0) throw new IOException($"getpwnam_r({name}): {LibC.ErrorText(error)}");
            break;
        }
        uid = result is null ? 0 : entry.Uid;
        primaryGid = result is null ? 0 : entry.Gid;
        return result is not null;
    }

    /// <summary>The group's id; false when there is no such group.</summary>
    public static bool TryFindGroup(string name, out uint gid)
    {
        return LookUpGroup(name, 0, out gid, out _);
    }

    /// <summary>The name of group <paramref name="gid"/>, or the number when it has none.</summary>
    public static string GroupName(uint gid) =>
        LookUpGroup(null, gid, out _, out var name) ? name : gid.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static bool LookUpGroup(string? byName, uint byGid, out uint gid, out string name)
    {
        LibC.Group entry;
        LibC.Group* result = null;
        for (int size = 4096; ; size *= 2)
        {
            var buffer = new byte[size];
            int error;
            fixed (byte* b = buffer)
            {
                error = byName is not null
                    ? LibC.GetGrNamR(byName, &entry, b, (nuint)size, &result)
                    : LibC.GetGrGidR(byGid, &entry, b, (nuint)size, &result);
                name = result is null ? "" : Marshal.PtrToStringUTF8((nint)entry.Name) ?? "";
            }
            if (error == LibC.ERANGE && size < MaxBuffer) continue;
            if (error != 0) throw new IOException($"group lookup: {LibC.ErrorText(error)}");
            break;
        }
        gid = result is null ? 0 : entry.Gid;
        return result is not null;
    }
}
