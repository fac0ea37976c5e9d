namespace FleetVpn.Platform.Privileges;

/// <summary>
/// Who the process runs as after <see cref="PrivilegeDrop.Drop"/>: <paramref name="UserName"/> is
/// null when only a group was given (the user id is unchanged).
/// </summary>
public sealed record DroppedPrivileges(string? UserName, uint Uid, string GroupName, uint Gid)
{
    /// <summary>"user nobody group nogroup", or "group nogroup" when the user was kept.</summary>
    public string Describe() => UserName is null ? $"group {GroupName}" : $"user {UserName} group {GroupName}";
}
